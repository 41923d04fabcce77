# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Access levels and repository patterns of registry users (plugins/module_utils/access.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.dockyard.registry.plugins.module_utils import access


def access_problems(entries, variable='rules', with_passwords=False):
    """Messages for everything wrong with the access keys of ENTRIES (named VARIABLE); empty when fine."""
    if not isinstance(entries, list):
        if with_passwords:
            return []  # registry_users' shape is the htpasswd rules' message
        return ['%s must be a list of dictionaries with name, access and repositories' % variable]
    problems = []
    if not with_passwords:
        bad = len([entry for entry in entries if not isinstance(entry, dict)])
        if bad:
            problems.append('%s must be a list of dictionaries with name, access and repositories; %d of its entries'
                            ' are not dictionaries' % (variable, bad))
    return problems + access.rule_problems(entries, variable, allow_password=with_passwords)


def access_rules(users):
    """The access rules of USERS (registry_users): [{name, access, repositories}], no passwords."""
    return access.access_rules(users)


def htpasswd_users(users):
    """USERS without the access keys, as the htpasswd module takes them."""
    return access.without_access(users)


def nginx_access_maps(rules):
    """The nginx map entries that apply RULES ({request, user, source}: lists of [key, value])."""
    return access.nginx_maps(rules)


class FilterModule(object):
    def filters(self):
        return {
            'access_problems': access_problems,
            'access_rules': access_rules,
            'htpasswd_users': htpasswd_users,
            'nginx_access_maps': nginx_access_maps,
        }
