# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Robot accounts (registry_robots): registry users whose secrets the collection generates, keeps on the controller
(registry_robot_secrets_dir/<name>), hashes at a low bcrypt cost, rotates and expires. The one home of their rules:
the registry role's validation, its htpasswd task and the site's access rules call these filters.

A robot is a user of the htpasswd file (the registry checks its hash like any other) and of the access rules (nginx
applies its access level and repositories like any other): these filters turn registry_robots into both."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
import re

from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.six import string_types

from ansible_collections.dockyard.registry.plugins.module_utils import access
from ansible_collections.dockyard.registry.plugins.module_utils.htpasswd import user_label, validate_cost

KEYS = ('name', 'access', 'repositories', 'expires', 'state')
STATES = ('present', 'absent')
# A robot's name is also the name of its secret's file: letters, digits and . _ - only, not starting with '.'.
_NAME_RE = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z')
_DATE_RE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}\Z')
# A secret given in registry_robot_secrets (a vault, AWX) is hashed at the robots' low cost: it must be long.
MIN_SECRET_LENGTH = 32


def _shape(value):
    """A wrong value described in words, never printed."""
    if isinstance(value, string_types):
        return 'a single string'
    if isinstance(value, dict):
        return 'a single dictionary'
    return 'a single value'


def _expiry(value):
    """The date VALUE stands for (a datetime.date, as YAML reads an unquoted 2027-06-30, or the string
    'YYYY-MM-DD'), or None when it is not one."""
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, string_types) and _DATE_RE.match(value):
        try:
            return datetime.datetime.strptime(value, '%Y-%m-%d').date()
        except ValueError:
            return None
    return None


def _today(today):
    if today is None or today == '':
        return datetime.datetime.now(datetime.timezone.utc).date()
    day = _expiry(today)
    if day is None:
        raise ValueError('today must be a date (YYYY-MM-DD), not %r' % (today,))
    return day


def _writable_dir_problem(path, variable):
    """Why the controller cannot keep secrets in PATH (a directory the password lookup creates when missing), or
    None."""
    if not isinstance(path, string_types) or not path:
        return '%s must be a directory on the controller, such as ~/.dockyard-registry/robots' % variable
    if re.search(r'\s', path):
        return ('%s must be a path without white space (the password lookup that writes the secrets splits its'
                ' arguments on it), not %r' % (variable, path))
    expanded = os.path.expanduser(path)
    if not os.path.isabs(expanded):
        return ('%s must be an absolute path (or start with ~), not %r: a relative one would depend on the playbook'
                ' that runs the role' % (variable, path))
    probe = expanded
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        return ('%s %r cannot be created on the controller: %r is not a directory' % (variable, path, probe))
    if not os.access(probe, os.W_OK | os.X_OK):
        if probe == expanded:
            return '%s %r is not writable on the controller by this user' % (variable, path)
        return ('%s %r cannot be created on the controller: %r is not writable by this user'
                % (variable, path, probe))
    return None


def robot_problems(robots, users=None, cost=4, secrets_dir=None, rotate=None, given=None, variable='registry_robots',
                   users_variable='registry_users', cost_variable='registry_robot_htpasswd_cost',
                   dir_variable='registry_robot_secrets_dir', rotate_variable='registry_robots_rotate',
                   given_variable='registry_robot_secrets'):
    """Messages for everything wrong with ROBOTS (named VARIABLE), their bcrypt COST, the controller's SECRETS_DIR,
    the names to ROTATE and the secrets GIVEN ({name: secret}, from a vault or AWX); empty when fine. A robot may not
    share a name with one of USERS."""
    problems = []
    if robots is None:
        robots = []
    expected = ('%s must be a list of dictionaries with name, access, repositories and expires, such as'
                ' [{name: ci-builder, access: push, repositories: [team-a/*], expires: 2027-06-30}]' % variable)
    if not is_sequence(robots) or isinstance(robots, string_types):
        return ['%s; it is %s' % (expected, _shape(robots))]
    if [robot for robot in robots if not isinstance(robot, dict)]:
        return ['%s; %d of its entries are not dictionaries'
                % (expected, len([robot for robot in robots if not isinstance(robot, dict)]))]
    number = int(cost) if isinstance(cost, string_types) and cost.strip().isdigit() else cost
    cost_problem = validate_cost(number, cost_variable)
    if cost_problem:
        problems.append(cost_problem)
    user_names = {}
    for index, user in enumerate(users if isinstance(users, list) else []):
        if isinstance(user, dict) and isinstance(user.get('name'), string_types):
            user_names.setdefault(user['name'], index)
    seen = {}
    for index, robot in enumerate(robots):
        name = robot.get('name')
        label = user_label(variable, index, name)
        # str(): YAML keys may be numbers, which sorted() cannot compare with strings.
        hint = ''
        if 'password' in robot or 'cost' in robot:
            hint = (" (a robot's secret is generated, and hashed at %s; a user of %s sets its own password and"
                    ' cost)' % (cost_variable, users_variable))
        unknown = access.unknown_keys_problem(label, robot, KEYS, hint)
        if unknown:
            problems.append(unknown)
        if not isinstance(name, string_types) or not _NAME_RE.match(name):
            problems.append('%s: name must be 1 to 64 letters, digits, dots, underscores or dashes, not starting with a'
                            ' dot or dash (it names the secret\'s file too), such as ci-builder' % label)
        elif name in seen:
            problems.append('%s: robot %r is listed twice (also %s[%d]); list each robot once'
                            % (label, name, variable, seen[name]))
        else:
            seen[name] = index
            if name in user_names:
                problems.append('%s has the name of %s[%d] (%r): a robot and a user cannot share a name (one htpasswd'
                                ' file holds both); rename one of them'
                                % (label, users_variable, user_names[name], name))
        state = robot.get('state') or 'present'
        if state not in STATES:
            problems.append('%s: state must be present or absent, not %r' % (label, state))
        if 'expires' in robot and robot['expires'] is not None and _expiry(robot['expires']) is None:
            problems.append("%s: expires must be a date such as 2027-06-30 (YYYY-MM-DD, the robot's last day), not %s"
                            % (label, repr(robot['expires']) if isinstance(robot['expires'], string_types)
                               else _shape(robot['expires'])))
    problems.extend(access.rule_problems(robots, variable, allow_password=True))
    if rotate is not None:
        if not isinstance(rotate, list) or [name for name in rotate if not isinstance(name, string_types)]:
            problems.append('%s must be a list of robot names, such as [ci-builder]' % rotate_variable)
        else:
            unknown = [name for name in rotate if name not in seen]
            if unknown:
                problems.append('%s names %s, which %s not in %s' % (
                    rotate_variable, ', '.join(repr(name) for name in unknown),
                    'is' if len(unknown) == 1 else 'are', variable))
    given_names = []
    if given is not None and not isinstance(given, dict):
        problems.append('%s must be a dictionary of robot names and their secrets, such as {ci-builder: ...}, not %s'
                        % (given_variable, _shape(given)))
    elif given:
        given_names = list(given)
        unknown = [name for name in given if name not in seen]
        if unknown:
            problems.append('%s names %s, which %s not in %s' % (
                given_variable, ', '.join(repr(name) for name in unknown), 'is' if len(unknown) == 1 else 'are',
                variable))
        short = [name for name, secret in given.items()
                 if not isinstance(secret, string_types) or len(secret) < MIN_SECRET_LENGTH]
        if short:
            problems.append('%s: the secrets of %s must be strings of at least %d characters (generated, never chosen:'
                            ' their hashes have the low %s)' % (
                                given_variable, ', '.join(repr(name) for name in short), MIN_SECRET_LENGTH,
                                cost_variable))
        if isinstance(rotate, list):
            fixed = [name for name in rotate if name in given]
            if fixed:
                problems.append('%s names %s, whose secret %s set in %s: change it there' % (
                    rotate_variable, ', '.join(repr(name) for name in fixed), 'is' if len(fixed) == 1 else 'are',
                    given_variable))
    if [robot for robot in robots if (robot.get('state') or 'present') == 'present'
            and robot.get('name') not in given_names]:
        dir_problem = _writable_dir_problem(secrets_dir, dir_variable)
        if dir_problem:
            problems.append(dir_problem)
    return problems


def _expired(robot, today):
    day = _expiry(robot.get('expires'))
    return day is not None and day < today


def robots_active(robots, today=None):
    """The robots that may work today: state present and not past their expires date (the date itself is their
    last day). Malformed entries are left out (the validation refuses them)."""
    day = _today(today)
    return [robot for robot in robots or [] if isinstance(robot, dict) and isinstance(robot.get('name'), string_types)
            and (robot.get('state') or 'present') == 'present' and not _expired(robot, day)]


def robots_expired(robots, today=None):
    """[{name, expires}] of the robots past their expires date (expires as YYYY-MM-DD)."""
    day = _today(today)
    return [{'name': robot['name'], 'expires': _expiry(robot['expires']).isoformat()}
            for robot in robots or [] if isinstance(robot, dict) and isinstance(robot.get('name'), string_types)
            and _expired(robot, day)]


def _secret_file(directory, name):
    return '%s/%s' % (directory.rstrip('/'), name)


def robot_secret_files(robots, directory, today=None, given=None):
    """The secret files (DIRECTORY/<name>, for the password lookup) of the active robots whose secret is not GIVEN
    (registry_robot_secrets)."""
    return [_secret_file(directory, robot['name']) for robot in robots_active(robots, today)
            if robot['name'] not in (given or {})]


def robot_htpasswd_users(robots, directory, files, secrets, cost, today=None, given=None):
    """The htpasswd module's users for ROBOTS: each active robot with its secret at bcrypt COST, each expired or
    absent one with state absent. A robot's secret is GIVEN[name] (registry_robot_secrets) when set; otherwise the
    one read from its own file: FILES and SECRETS are the password lookup's terms (robot_secret_files) and what it
    returned, in the same order."""
    by_file = dict(zip(files or [], secrets or []))
    if len(files or []) != len(secrets or []):
        raise ValueError('%d secret files but %d secrets' % (len(files or []), len(secrets or [])))
    active = [robot['name'] for robot in robots_active(robots, today)]
    users = []
    for robot in robots or []:
        if not isinstance(robot, dict) or not isinstance(robot.get('name'), string_types):
            continue
        if robot['name'] in active and robot['name'] in (given or {}):
            users.append({'name': robot['name'], 'password': given[robot['name']], 'cost': int(cost)})
        elif robot['name'] in active:
            secret_file = _secret_file(directory, robot['name'])
            if secret_file not in by_file:
                raise ValueError('no secret was read for robot %r (%s)' % (robot['name'], secret_file))
            users.append({'name': robot['name'], 'password': by_file[secret_file], 'cost': int(cost)})
        else:
            users.append({'name': robot['name'], 'state': 'absent'})
    return users


def robots_rotated(robots, names=None, every=False, today=None, given=None):
    """Names of the active robots whose secrets are replaced on this run: NAMES (registry_robots_rotate), or every
    active robot when EVERY (--tags rotate_robots) and NAMES is empty; never one whose secret is GIVEN
    (registry_robot_secrets: it is changed there)."""
    active = [robot['name'] for robot in robots_active(robots, today) if robot['name'] not in (given or {})]
    if names:
        return [name for name in active if name in names]
    return active if every else []


class FilterModule(object):
    def filters(self):
        return {
            'robot_problems': robot_problems,
            'robots_active': robots_active,
            'robots_expired': robots_expired,
            'robot_secret_files': robot_secret_files,
            'robot_htpasswd_users': robot_htpasswd_users,
            'robots_rotated': robots_rotated,
        }
