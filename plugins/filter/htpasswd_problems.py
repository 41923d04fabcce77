# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a list of htpasswd users on the controller, with the same rules as the htpasswd module, and refuse the
example inventory's published passwords (plugins/module_utils/example_secrets.py): a policy of the site's
validation, not of the htpasswd file, so the module itself does not apply it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.six import string_types

from ansible_collections.dockyard.registry.plugins.module_utils.access import unknown_keys_problem
from ansible_collections.dockyard.registry.plugins.module_utils.example_secrets import example_secret_problem, is_example_secret
from ansible_collections.dockyard.registry.plugins.module_utils.htpasswd import (
    user_label, validate_cost, validate_user_cost, validate_user_list)

# cost: the user's own bcrypt cost (the htpasswd module's users[].cost). access and repositories: the access rules'
# keys (plugins/module_utils/access.py checks them).
ALLOWED_KEYS = ('name', 'password', 'state', 'cost', 'access', 'repositories')
STATES = ('present', 'absent')


def _shape(value):
    """A wrong value described in words, never printed (it may hold passwords), nor by its Python class
    (ansible-core 2.19 hands filters its own tagged types)."""
    if isinstance(value, string_types):
        return 'a single string'
    if isinstance(value, dict):
        return 'a single dictionary'
    return 'a single value'


def _number(cost):
    """A whole number given as a string (an AWX survey answer, -e cost=10) is a number, as the module's int makes it."""
    if isinstance(cost, string_types) and cost.strip().isdigit():
        return int(cost)
    return cost


def htpasswd_problems(users, cost=10, variable='users', cost_variable='cost'):
    """Return a list of messages for everything wrong with USERS (named VARIABLE) and COST (named COST_VARIABLE)."""
    cost_problem = validate_cost(_number(cost), cost_variable)
    return ([cost_problem] if cost_problem else []) + _user_problems(users, variable)


def _user_problems(users, variable):
    if users is None:
        users = []
    expected = '%s must be a list of dictionaries with name, password and state, such as [{name: ci, password: ...}]' % variable
    if not is_sequence(users) or isinstance(users, string_types):
        return ['%s; it is %s' % (expected, _shape(users))]
    not_dicts = len([user for user in users if not isinstance(user, dict)])
    if not_dicts:
        return ['%s; %d of its entries are not dictionaries' % (expected, not_dicts)]
    problems = []
    normalized = []
    for index, user in enumerate(users):
        where = '%s[%d]' % (variable, index)
        unknown = unknown_keys_problem(where, user, ALLOWED_KEYS)
        if unknown:
            problems.append(unknown)
        # Checked here, where the entry's index is known (the list below leaves out the entries refused above).
        cost_problem = validate_user_cost(_number(user.get('cost')), user_label(variable, index, user.get('name')))
        if cost_problem:
            problems.append(cost_problem)
        state = user.get('state') or 'present'
        if state not in STATES:
            problems.append('%s: state must be present or absent, not %r' % (where, state))
            continue
        name = user.get('name')
        password = user.get('password')
        if not isinstance(name, string_types) or (password is not None and not isinstance(password, string_types)):
            problems.append('%s: name and password must be strings (quote numbers in YAML)' % where)
            continue
        normalized.append({'name': name, 'password': password, 'state': state})
    published = ['%s: %s' % (variable, example_secret_problem('user %r: the password' % user['name']))
                 for user in normalized if user['state'] == 'present' and is_example_secret(user['password'])]
    return problems + ['%s: %s' % (variable, message) for message in validate_user_list(normalized)] + published


class FilterModule(object):
    def filters(self):
        return {'htpasswd_problems': htpasswd_problems}
