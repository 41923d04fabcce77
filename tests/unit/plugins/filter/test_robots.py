# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/filter/robots.py: the robot accounts' checks (robot_problems), which robots work today (robots_active,
robots_expired), their secret files and htpasswd users, and which secrets a run replaces (robots_rotated); then how
the registry role calls them (tasks/htpasswd.yml, tasks/users.yml, tasks/validate.yml, vars/main.yml)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import glob
import importlib
import os

import pytest
import yaml
from jinja2.nativetypes import NativeEnvironment

from ansible_collections.dockyard.registry.plugins.filter.robots import (
    FilterModule, robot_htpasswd_users, robot_problems, robot_secret_files, robots_active, robots_expired,
    robots_rotated)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ROLE = os.path.join(ROOT, 'roles', 'registry')

USERS = [{'name': 'alice', 'password': 'x' * 20, 'access': 'admin'}, {'name': 'ci', 'password': 'y' * 20}]
GOOD = [
    {'name': 'ci-builder', 'access': 'push', 'repositories': ['team-a/*'], 'expires': '2027-06-30'},
    {'name': 'puller_1.b', 'access': 'pull'},
    {'name': 'Old-Robot', 'state': 'absent'},
    {'name': 'ops', 'access': 'admin', 'expires': datetime.date(2027, 1, 1), 'state': 'present'},
]
EXPECTED = ('registry_robots must be a list of dictionaries with name, access, repositories and expires, such as'
            ' [{name: ci-builder, access: push, repositories: [team-a/*], expires: 2027-06-30}]')
NAME_RULE = ("name must be 1 to 64 letters, digits, dots, underscores or dashes, not starting with a dot or dash (it"
             " names the secret's file too), such as ci-builder")
COST_RULE = ('registry_robot_htpasswd_cost must be an integer from 4 to 31, not %r; 10 (the default) or 11-12 at most,'
             ' as the registry checks the hash on every request')
TODAY = datetime.date(2027, 6, 30)


@pytest.fixture
def secrets_dir(tmp_path):
    return str(tmp_path / 'robots')


def problems(robots, secrets_dir, users=None, cost=4, rotate=None):
    return robot_problems(robots, USERS if users is None else users, cost, secrets_dir, rotate)


def test_filters_are_registered():
    assert FilterModule().filters() == {
        'robot_problems': robot_problems, 'robots_active': robots_active, 'robots_expired': robots_expired,
        'robot_secret_files': robot_secret_files, 'robot_htpasswd_users': robot_htpasswd_users,
        'robots_rotated': robots_rotated}


# --- robot_problems ---

def test_good_robots_pass(secrets_dir):
    assert problems(GOOD, secrets_dir, rotate=['ci-builder', 'ops']) == []
    assert problems(GOOD, secrets_dir, rotate=[]) == []


@pytest.mark.parametrize('robots', [None, []])
def test_no_robots_pass(robots):
    # No robot: the secrets directory does not matter (the role's default names the domain, which may be unset).
    assert robot_problems(robots, USERS, 4, None, []) == []
    assert robot_problems(robots, USERS, 4, 'relative/dir', []) == []


@pytest.mark.parametrize('robots, shape', [
    ('ci-builder', 'a single string'),
    ({'name': 'ci-builder'}, 'a single dictionary'),
    (5, 'a single value'),
    (True, 'a single value'),
])
def test_not_a_list_in_words(robots, shape, secrets_dir):
    assert problems(robots, secrets_dir) == ['%s; it is %s' % (EXPECTED, shape)]


def test_entries_not_dictionaries_counted(secrets_dir):
    assert problems([GOOD[0], 'ci', ['x'], None], secrets_dir) == [
        '%s; 3 of its entries are not dictionaries' % EXPECTED]
    # The count alone: never the entry (it may be a secret pasted at the wrong place).
    assert 'hunter2' not in problems(['hunter2'], secrets_dir)[0]


def test_unknown_keys_named_with_allowed_ones(secrets_dir):
    assert problems([{'name': 'ci-builder', 'expire': '2027-06-30', 'acess': 'pull'}], secrets_dir) == [
        "registry_robots[0] ('ci-builder') has unknown keys acess, expire; allowed: name, access, repositories, expires,"
        ' state']


@pytest.mark.parametrize('key', ['password', 'cost'])
def test_password_or_cost_gets_a_hint(key, secrets_dir):
    found = problems([{'name': 'ci-builder'}, {'name': 'pusher', key: 'hunter2-secret'}], secrets_dir)
    assert found == [
        "registry_robots[1] ('pusher') has unknown keys %s; allowed: name, access, repositories, expires, state (a robot's"
        ' secret is generated, and hashed at registry_robot_htpasswd_cost; a user of registry_users sets its own password'
        ' and cost)' % key]
    assert 'hunter2' not in found[0]


def test_unknown_keys_that_are_not_strings(secrets_dir):
    # YAML reads `1: x` as a number key: named, not a TypeError from sorting numbers with strings.
    assert problems([{'name': 'ci-builder', 1: 'x', 'zz': 2}], secrets_dir) == [
        "registry_robots[0] ('ci-builder') has unknown keys 1, zz; allowed: name, access, repositories, expires, state"]


@pytest.mark.parametrize('name', ['', '/', 'team/ci', '..', '.hidden', '-dash', 'a' * 65, 'ci:builder', 'ci builder',
                                  'ci\n', 'röbot', 7, None, ['ci']])
def test_bad_names(name, secrets_dir):
    label = "registry_robots[1] (%r)" % name if isinstance(name, str) else 'registry_robots[1]'
    assert problems([GOOD[0], {'name': name}], secrets_dir) == ['%s: %s' % (label, NAME_RULE)]


def test_missing_name(secrets_dir):
    assert problems([{'access': 'pull'}], secrets_dir) == ['registry_robots[0]: %s' % NAME_RULE]


@pytest.mark.parametrize('name', ['a', 'a' * 64, 'A.b_c-d', '0ci', 'ci..builder'])
def test_good_names(name, secrets_dir):
    assert problems([{'name': name}], secrets_dir) == []


def test_duplicate_robots(secrets_dir):
    found = problems([{'name': 'ci-builder'}, {'name': 'other'}, {'name': 'ci-builder', 'state': 'absent'},
                      {'name': 'ci-builder'}], secrets_dir)
    assert found == [
        "registry_robots[2] ('ci-builder'): robot 'ci-builder' is listed twice (also registry_robots[0]); list each"
        ' robot once',
        "registry_robots[3] ('ci-builder'): robot 'ci-builder' is listed twice (also registry_robots[0]); list each"
        ' robot once']


def test_robot_named_like_a_user(secrets_dir):
    users = [{'name': 'alice', 'password': 'x'}, 'not a user', {'name': 'ci', 'password': 'y'},
             {'name': 'ci', 'password': 'z'}]
    assert problems([{'name': 'pusher'}, {'name': 'ci'}], secrets_dir, users=users) == [
        "registry_robots[1] ('ci') has the name of registry_users[2] ('ci'): a robot and a user cannot share a name (one"
        ' htpasswd file holds both); rename one of them']
    # Other variable names, as another caller would pass them.
    found = robot_problems([{'name': 'alice'}], users, 4, secrets_dir, None, None, 'robots', 'people')
    assert found == ["robots[0] ('alice') has the name of people[0] ('alice'): a robot and a user cannot share a name"
                     ' (one htpasswd file holds both); rename one of them']


@pytest.mark.parametrize('users', [None, 'alice', {'name': 'alice'}])
def test_users_not_a_list_collide_with_nothing(users, secrets_dir):
    assert robot_problems([{'name': 'alice'}], users, 4, secrets_dir) == []


@pytest.mark.parametrize('state', ['gone', 'Present', 'enabled', True])
def test_bad_state(state, secrets_dir):
    assert problems([{'name': 'ci-builder', 'state': state}], secrets_dir) == [
        "registry_robots[0] ('ci-builder'): state must be present or absent, not %r" % (state,)]


@pytest.mark.parametrize('state', [None, '', 'present', 'absent'])
def test_good_state(state, secrets_dir):
    assert problems([{'name': 'ci-builder', 'state': state}], secrets_dir) == []


@pytest.mark.parametrize('expires, shown', [
    ('next year', "'next year'"),
    ('2027-13-01', "'2027-13-01'"),
    ('2027-02-30', "'2027-02-30'"),
    ('2027-6-30', "'2027-6-30'"),
    ('2027-06-30T00:00:00', "'2027-06-30T00:00:00'"),
    ('', "''"),
    (20270101, 'a single value'),
    (True, 'a single value'),
    (datetime.datetime(2027, 6, 30, 12, 0), 'a single value'),
    (['2027-06-30'], 'a single value'),
    ({'date': '2027-06-30'}, 'a single dictionary'),
])
def test_expires_not_a_date(expires, shown, secrets_dir):
    assert problems([{'name': 'ci-builder', 'expires': expires}], secrets_dir) == [
        "registry_robots[0] ('ci-builder'): expires must be a date such as 2027-06-30 (YYYY-MM-DD, the robot's last"
        ' day), not %s' % shown]


@pytest.mark.parametrize('expires', [datetime.date(2027, 6, 30), '2027-06-30', None, '2000-01-01', '2024-02-29'])
def test_expires_accepted(expires, secrets_dir):
    # A past date is fine too: the robot is removed, and the run reports it.
    assert problems([{'name': 'ci-builder', 'expires': expires}], secrets_dir) == []


@pytest.mark.parametrize('cost', [3, 32, 0, -4, 4.0, 'four', '', ' ', True, None, [4]])
def test_cost_refused(cost, secrets_dir):
    assert problems(GOOD, secrets_dir, cost=cost) == [COST_RULE % (cost,)]


@pytest.mark.parametrize('cost', [4, 31, 12, '4', '31'])
def test_cost_accepted(cost, secrets_dir):
    assert problems(GOOD, secrets_dir, cost=cost) == []


def test_cost_checked_without_robots():
    # The variable is wrong whether or not robots use it yet.
    assert robot_problems([], USERS, 3, None, []) == [COST_RULE % 3]


@pytest.mark.parametrize('robot, message', [
    ({'name': 'ci-builder', 'access': 'owner'},
     "registry_robots[0] ('ci-builder'): access must be one of pull, push, admin, not 'owner'"),
    ({'name': 'ci-builder', 'access': 'admin', 'repositories': ['team-a/*']},
     "registry_robots[0] ('ci-builder'): repositories cannot limit an admin user (admins delete and read the catalog"
     ' of every repository); remove repositories, or give access: push or pull'),
    ({'name': 'ci-builder', 'repositories': None},
     "registry_robots[0] ('ci-builder'): repositories must be a list of patterns such as [team-a/*, tools/builder],"
     ' not a NoneType'),
    ({'name': 'ci-builder', 'repositories': 'team-a/*'},
     "registry_robots[0] ('ci-builder'): repositories must be a list of patterns such as [team-a/*, tools/builder],"
     ' not a string'),
    ({'name': 'ci-builder', 'repositories': []},
     "registry_robots[0] ('ci-builder'): repositories is an empty list, which would allow no repository at all; remove"
     ' the key for every repository, or list patterns'),
])
def test_access_problems_are_the_access_rules(robot, message, secrets_dir):
    assert problems([robot], secrets_dir) == [message]


def test_repository_patterns_checked(secrets_dir):
    found = problems([{'name': 'ci-builder', 'repositories': ['team-a/*', 'Team-B/*', 'https://x/y']}], secrets_dir)
    assert len(found) == 2, found
    assert found[0].startswith("registry_robots[0] ('ci-builder'): repositories[1] 'Team-B/*' has upper-case letters")
    assert found[1].startswith("registry_robots[0] ('ci-builder'): repositories[2] 'https://x/y' has a scheme")


def test_rotate_names_unknown_robots(secrets_dir):
    assert problems(GOOD, secrets_dir, rotate=['ci-builder', 'nobody']) == [
        "registry_robots_rotate names 'nobody', which is not in registry_robots"]
    assert problems(GOOD, secrets_dir, rotate=['nobody', 'alice']) == [
        "registry_robots_rotate names 'nobody', 'alice', which are not in registry_robots"]


@pytest.mark.parametrize('rotate', ['ci-builder', {'name': 'ci-builder'}, ['ci-builder', 5], 5, True])
def test_rotate_not_a_list_of_names(rotate, secrets_dir):
    assert problems(GOOD, secrets_dir, rotate=rotate) == [
        'registry_robots_rotate must be a list of robot names, such as [ci-builder]']


def test_rotate_not_checked_when_not_given(secrets_dir):
    assert robot_problems(GOOD, USERS, 4, secrets_dir) == []


def test_every_problem_at_once():
    found = problems([{'name': '.x', 'state': 'gone', 'expires': 'soon', 'access': 'owner', 'password': 'p'},
                      {'name': 'alice'}, {'name': 'alice'}], 'relative', cost=99, rotate=['ghost'])
    # The cost first, then each robot's own checks in order, the access rules, the rotation, the directory.
    assert [message.split(' ')[0].rstrip(':') for message in found] == [
        'registry_robot_htpasswd_cost', 'registry_robots[0]', 'registry_robots[0]', 'registry_robots[0]',
        'registry_robots[0]', 'registry_robots[1]', 'registry_robots[2]', 'registry_robots[0]', 'registry_robots_rotate',
        'registry_robot_secrets_dir'], found
    text = '\n'.join(found)
    for words in ('has unknown keys password', NAME_RULE, "not 'gone'", "not 'soon'", "of registry_users[0] ('alice')",
                  "robot 'alice' is listed twice (also registry_robots[1])", "not 'owner'", "names 'ghost'",
                  "not 'relative'"):
        assert words in text, words
    # The robot's secret-looking value is never shown.
    assert "'p'" not in text


# --- robot_problems: the secrets directory on the controller ---

def _dir_problems(path):
    return robot_problems([{'name': 'ci-builder'}], [], 4, path, [])


def test_secrets_dir_writable(tmp_path):
    assert _dir_problems(str(tmp_path)) == []
    assert _dir_problems(str(tmp_path) + '/') == []


def test_secrets_dir_created_under_a_writable_dir(tmp_path):
    assert _dir_problems(str(tmp_path / 'a' / 'b' / 'robots')) == []
    assert not (tmp_path / 'a').exists()  # only checked, never created


def test_secrets_dir_under_a_regular_file(tmp_path):
    (tmp_path / 'file').write_text(u'not a directory')
    path = str(tmp_path / 'file' / 'robots')
    assert _dir_problems(path) == [
        'registry_robot_secrets_dir %r cannot be created on the controller: %r is not a directory'
        % (path, str(tmp_path / 'file'))]
    # The directory itself a regular file.
    assert _dir_problems(str(tmp_path / 'file')) == [
        'registry_robot_secrets_dir %r cannot be created on the controller: %r is not a directory'
        % (str(tmp_path / 'file'), str(tmp_path / 'file'))]


@pytest.mark.parametrize('path', ['robots', './robots', '.dockyard/robots'])
def test_secrets_dir_relative(path):
    assert _dir_problems(path) == [
        'registry_robot_secrets_dir must be an absolute path (or start with ~), not %r: a relative one would depend on'
        ' the playbook that runs the role' % path]


@pytest.mark.parametrize('suffix', [' robots', '/ro bots', '/robots\t', '/ro\nbots'])
def test_secrets_dir_with_white_space(suffix, tmp_path):
    path = str(tmp_path) + suffix
    assert _dir_problems(path) == [
        'registry_robot_secrets_dir must be a path without white space (the password lookup that writes the secrets'
        ' splits its arguments on it), not %r' % path]


@pytest.mark.parametrize('path', [None, '', 5, ['/tmp']])
def test_secrets_dir_not_a_path(path):
    assert _dir_problems(path) == [
        'registry_robot_secrets_dir must be a directory on the controller, such as ~/.dockyard-registry/robots']


def test_secrets_dir_under_home(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    assert _dir_problems('~/x') == []
    assert _dir_problems('~/.dockyard-registry/robots/registry.example.com') == []
    (tmp_path / 'x').write_text(u'')
    assert _dir_problems('~/x/robots') == [
        "registry_robot_secrets_dir '~/x/robots' cannot be created on the controller: %r is not a directory"
        % str(tmp_path / 'x')]


def _unwritable_dir(tmp_path):
    """A directory this user cannot write in: a 0500 one, or, as root (who may write in any directory, so that
    os.access says yes), a directory on a read-only mount (/proc/sys, or /sys/fs/cgroup in a container)."""
    if os.geteuid() != 0:
        path = tmp_path / 'read-only'
        path.mkdir()
        path.chmod(0o500)
        return str(path)
    for path in ('/proc/sys', '/sys/fs/cgroup', '/sys'):
        if os.path.isdir(path) and not os.access(path, os.W_OK | os.X_OK):
            return path
    # Reported as a skip, never a pass. On the development and CI machine /proc/sys is read-only for root, so the case
    # runs there (the bad-input case robot-secrets-dir-not-writable covers root with a path under a file).
    pytest.skip('running as root and no read-only directory found')


def test_secrets_dir_not_writable(tmp_path):
    path = _unwritable_dir(tmp_path)
    try:
        assert _dir_problems(path) == [
            'registry_robot_secrets_dir %r is not writable on the controller by this user' % path]
        below = os.path.join(path, 'dockyard-robots-test')
        assert not os.path.exists(below)
        assert _dir_problems(below) == [
            'registry_robot_secrets_dir %r cannot be created on the controller: %r is not writable by this user'
            % (below, path)]
    finally:
        if path.startswith(str(tmp_path)):
            os.chmod(path, 0o700)


@pytest.mark.parametrize('robots', [[], None, [{'name': 'ci-builder', 'state': 'absent'}]])
def test_secrets_dir_not_checked_without_a_present_robot(robots):
    # The directory is needed for present robots only: a role that has none may leave it unset or wrong.
    for path in (None, 'relative', '/with space', '/etc/passwd/robots'):
        assert robot_problems(robots, [], 4, path, []) == []


def test_secrets_dir_checked_for_an_expired_present_robot(tmp_path):
    # state present, whatever the date: the validation does not depend on the day it runs.
    assert robot_problems([{'name': 'ci-builder', 'expires': '2000-01-01'}], [], 4, 'relative', []) == [
        'registry_robot_secrets_dir must be an absolute path (or start with ~), not \'relative\': a relative one would'
        ' depend on the playbook that runs the role']


def test_secrets_dir_named_by_its_variable():
    assert robot_problems([{'name': 'a'}], [], 4, 'x', [], dir_variable='robot_dir') == [
        "robot_dir must be an absolute path (or start with ~), not 'x': a relative one would depend on the playbook"
        ' that runs the role']


# --- robots_active, robots_expired ---

DATED = [
    {'name': 'today', 'expires': '2027-06-30'},
    {'name': 'yesterday', 'expires': '2027-06-29'},
    {'name': 'tomorrow', 'expires': datetime.date(2027, 7, 1)},
    {'name': 'forever'},
    {'name': 'forever-null', 'expires': None},
    {'name': 'gone', 'state': 'absent'},
    {'name': 'gone-expired', 'state': 'absent', 'expires': datetime.date(2020, 1, 1)},
    {'name': 'explicit', 'state': 'present', 'expires': '2999-12-31'},
]


def _names(robots):
    return [robot['name'] for robot in robots]


@pytest.mark.parametrize('today', [TODAY, '2027-06-30'])
def test_active(today):
    assert _names(robots_active(DATED, today)) == ['today', 'tomorrow', 'forever', 'forever-null', 'explicit']


def test_active_returns_the_entries_as_given():
    assert robots_active(GOOD, TODAY) == [GOOD[0], GOOD[1]]
    # ops expired on 2027-01-01; one day before, it works.
    assert robots_active(GOOD, '2026-12-31') == [GOOD[0], GOOD[1], GOOD[3]]


def test_active_leaves_malformed_entries_out():
    assert robots_active(['ci', {'name': 5}, {'access': 'pull'}, {'name': 'ok'}], TODAY) == [{'name': 'ok'}]
    assert robots_active(None, TODAY) == []
    assert robots_active([], TODAY) == []


def test_expired():
    assert robots_expired(DATED, TODAY) == [{'name': 'yesterday', 'expires': '2027-06-29'},
                                            {'name': 'gone-expired', 'expires': '2020-01-01'}]
    assert robots_expired(DATED, '2027-07-02') == [
        {'name': 'today', 'expires': '2027-06-30'}, {'name': 'yesterday', 'expires': '2027-06-29'},
        {'name': 'tomorrow', 'expires': '2027-07-01'}, {'name': 'gone-expired', 'expires': '2020-01-01'}]
    assert robots_expired(None, TODAY) == []


def test_today_defaults_to_the_utc_date():
    today = datetime.datetime.now(datetime.timezone.utc).date()
    robots = [{'name': 'now', 'expires': today.isoformat()},
              {'name': 'before', 'expires': (today - datetime.timedelta(days=1)).isoformat()}]
    assert _names(robots_active(robots)) == ['now']
    assert _names(robots_active(robots, '')) == ['now']
    assert robots_expired(robots) == [robots[1]]


@pytest.mark.parametrize('today', ['tomorrow', '2027-13-01', 20270630, datetime.datetime(2027, 6, 30)])
def test_today_must_be_a_date(today):
    with pytest.raises(ValueError, match='^today must be a date'):
        robots_active(DATED, today)
    with pytest.raises(ValueError, match='^today must be a date'):
        robots_expired(DATED, today)


# --- robot_secret_files, robot_htpasswd_users ---

@pytest.mark.parametrize('directory', ['/home/ops/.dockyard-registry/robots', '/home/ops/.dockyard-registry/robots/',
                                       '/home/ops/.dockyard-registry/robots//'])
def test_secret_files_of_the_active_robots_in_order(directory):
    assert robot_secret_files(DATED, directory, TODAY) == [
        '/home/ops/.dockyard-registry/robots/%s' % name
        for name in ('today', 'tomorrow', 'forever', 'forever-null', 'explicit')]


def test_secret_files_none():
    assert robot_secret_files([], '/x', TODAY) == []
    assert robot_secret_files([{'name': 'a', 'state': 'absent'}], '/x', TODAY) == []


def _secret(path):
    return 'secret-of-' + os.path.basename(path)


def test_htpasswd_users():
    files = robot_secret_files(DATED, '/d', TODAY)
    users = robot_htpasswd_users(DATED, '/d/', files, [_secret(path) for path in files], '4', TODAY)
    assert users == [
        {'name': 'today', 'password': 'secret-of-today', 'cost': 4},
        {'name': 'yesterday', 'state': 'absent'},
        {'name': 'tomorrow', 'password': 'secret-of-tomorrow', 'cost': 4},
        {'name': 'forever', 'password': 'secret-of-forever', 'cost': 4},
        {'name': 'forever-null', 'password': 'secret-of-forever-null', 'cost': 4},
        {'name': 'gone', 'state': 'absent'},
        {'name': 'gone-expired', 'state': 'absent'},
        {'name': 'explicit', 'password': 'secret-of-explicit', 'cost': 4},
    ]
    assert all(isinstance(user['cost'], int) for user in users if 'cost' in user)


def test_htpasswd_users_each_robot_gets_the_secret_of_its_own_file():
    # The lookup's terms and results in another order than the robots': paired by file, not by position.
    robots = [{'name': 'a'}, {'name': 'b'}, {'name': 'c'}]
    files = ['/d/c', '/d/a', '/d/b']
    users = robot_htpasswd_users(robots, '/d', files, ['secret-c', 'secret-a', 'secret-b'], 12, TODAY)
    assert users == [{'name': 'a', 'password': 'secret-a', 'cost': 12}, {'name': 'b', 'password': 'secret-b', 'cost': 12},
                     {'name': 'c', 'password': 'secret-c', 'cost': 12}]


def test_htpasswd_users_skip_malformed_entries():
    robots = ['ci', {'name': 5}, {'name': 'ok'}]
    assert robot_htpasswd_users(robots, '/d', ['/d/ok'], ['s'], 4, TODAY) == [{'name': 'ok', 'password': 's', 'cost': 4}]
    assert robot_htpasswd_users(None, '/d', None, None, 4, TODAY) == []


@pytest.mark.parametrize('files, secrets', [(['/d/a', '/d/b'], ['s']), (['/d/a'], ['s', 't']), (['/d/a'], None)])
def test_htpasswd_users_lengths_must_match(files, secrets):
    with pytest.raises(ValueError, match='^%d secret files but %d secrets$' % (len(files), len(secrets or []))):
        robot_htpasswd_users([{'name': 'a'}, {'name': 'b'}], '/d', files, secrets, 4, TODAY)


def test_htpasswd_users_missing_secret():
    with pytest.raises(ValueError) as error:
        robot_htpasswd_users([{'name': 'a'}, {'name': 'b'}], '/d', ['/d/a', '/other/b'], ['s3cr3t-a', 's3cr3t-b'], 4,
                             TODAY)
    assert str(error.value) == "no secret was read for robot 'b' (/d/b)"
    # Another directory than the files': no robot has its secret.
    with pytest.raises(ValueError, match="^no secret was read for robot 'a' \\(/elsewhere/a\\)$"):
        robot_htpasswd_users([{'name': 'a'}], '/elsewhere', ['/d/a'], ['s'], 4, TODAY)


# --- robots_rotated ---

def test_rotated_names():
    assert robots_rotated(DATED, ['explicit', 'today'], False, TODAY) == ['today', 'explicit']
    assert robots_rotated(DATED, ['today'], True, TODAY) == ['today']  # names take precedence over every


def test_rotated_every():
    assert robots_rotated(DATED, [], True, TODAY) == ['today', 'tomorrow', 'forever', 'forever-null', 'explicit']
    assert robots_rotated(DATED, None, True, TODAY) == ['today', 'tomorrow', 'forever', 'forever-null', 'explicit']


def test_rotated_none():
    assert robots_rotated(DATED, [], False, TODAY) == []
    assert robots_rotated(DATED, None, False, TODAY) == []
    assert robots_rotated(DATED, today=TODAY) == []


def test_rotated_never_expired_or_absent():
    assert robots_rotated(DATED, ['yesterday', 'gone', 'gone-expired', 'nobody'], False, TODAY) == []
    assert 'yesterday' not in robots_rotated(DATED, [], True, TODAY)
    # Expired since: the same name is rotated no more.
    assert robots_rotated(DATED, ['today'], False, '2027-07-01') == []


# --- How the registry role calls them ---

def _load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def _task(file_name, name):
    tasks = [task for task in _load('tasks', file_name) if task.get('name') == name]
    assert len(tasks) == 1, (file_name, name)
    return tasks[0]


def _environment():
    """Jinja with every filter of the collection under its FQCN, as the role's expressions name them."""
    environment = NativeEnvironment()
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'filter', '*.py'))):
        module = importlib.import_module('ansible_collections.dockyard.registry.plugins.filter.'
                                         + os.path.basename(path)[:-3])
        environment.filters.update(('dockyard.registry.' + name, function)
                                   for name, function in module.FilterModule().filters().items())
    return environment


def _render(expression, **values):
    return _environment().from_string(expression.strip()).render(values)


HTPASSWD_TASKS = [
    "Create the robots' secrets directory on the controller (readable by its owner only)",
    "Rotate robots' secrets (registry_robots_rotate, or every robot with --tags rotate_robots)",
    'Manage the registry users and robots',
    'Report the robots whose secrets were replaced',
    'Report the robots past their expiry date',
]


def test_role_htpasswd_tasks_in_order():
    assert [task['name'] for task in _load('tasks', 'htpasswd.yml')] == HTPASSWD_TASKS
    for name in HTPASSWD_TASKS:
        # Under --tags users (the users entry point's tag) as well as the robots' own.
        assert {'users', 'robots'} <= set(_task('htpasswd.yml', name)['tags']), name


def test_role_secrets_stay_on_the_controller():
    create = _task('htpasswd.yml', HTPASSWD_TASKS[0])
    rotate = _task('htpasswd.yml', HTPASSWD_TASKS[1])
    for task in (create, rotate):
        # On the controller, as the user who runs the play: never sudo there.
        assert task['delegate_to'] == 'localhost'
        assert task['become'] is False
        assert task['run_once'] is True
    assert create['ansible.builtin.file'] == {'path': '{{ __registry_robot_secrets_dir }}', 'state': 'directory',
                                              'mode': '0700'}
    assert create['when'] == ('registry_robots | dockyard.registry.robot_secret_files(__registry_robot_secrets_dir,'
                              ' given=registry_robot_secrets) | length > 0')
    assert rotate['ansible.builtin.file'] == {'path': '{{ __registry_robot_secrets_dir }}/{{ item }}', 'state': 'absent'}
    assert rotate['loop'] == '{{ __registry_robots_rotated }}'
    assert 'rotate_robots' in rotate['tags']


def test_role_htpasswd_users_render_each_robot_with_its_own_secret():
    task = _task('htpasswd.yml', 'Manage the registry users and robots')
    module = task['dockyard.registry.htpasswd']
    assert module['exclusive'] == '{{ registry_users_exclusive }}'
    assert task['vars']['__registry_robot_secrets'].strip() == (
        "{{ query('ansible.builtin.password', *__registry_robot_files, chars=['ascii_letters', 'digits'], length=44) }}")
    robots = [{'name': 'pusher', 'access': 'push'}, {'name': 'old', 'expires': '2000-01-01'},
              {'name': 'gone', 'state': 'absent'}, {'name': 'puller', 'access': 'pull', 'expires': '2999-12-31'}]
    values = {'registry_robots': robots, '__registry_robot_secrets_dir': '/home/ops/robots/',
              'registry_robot_htpasswd_cost': 4,
              'registry_users': [{'name': 'alice', 'password': 'pw', 'access': 'admin'}]}
    files = _render(task['vars']['__registry_robot_files'], **values)
    assert files == ['/home/ops/robots/pusher', '/home/ops/robots/puller']
    asked = []

    def query(lookup, *terms, **options):
        # The password lookup: one secret per term, returned in the order of the terms.
        asked.append((lookup, terms, options))
        return ['secret-of-' + os.path.basename(term) for term in terms]

    values.update(__registry_robot_files=files, query=query)
    values['__registry_robot_secrets'] = _render(task['vars']['__registry_robot_secrets'], **values)
    assert asked == [('ansible.builtin.password', tuple(files), {'chars': ['ascii_letters', 'digits'], 'length': 44})]
    assert _render(module['users'], **values) == [
        {'name': 'alice', 'password': 'pw'},
        {'name': 'pusher', 'password': 'secret-of-pusher', 'cost': 4},
        {'name': 'old', 'state': 'absent'},
        {'name': 'gone', 'state': 'absent'},
        {'name': 'puller', 'password': 'secret-of-puller', 'cost': 4},
    ]


def test_role_reports_name_no_secret():
    replaced = _task('htpasswd.yml', 'Report the robots whose secrets were replaced')
    expired = _task('htpasswd.yml', 'Report the robots past their expiry date')
    assert replaced['loop'] == '{{ __registry_robots_rotated }}'
    assert expired['loop'] == '{{ registry_robots | dockyard.registry.robots_expired }}'
    assert expired['loop_control']['label'] == '{{ item.name }}'
    for task in (replaced, expired):
        assert 'secret }}' not in task['ansible.builtin.debug']['msg'], task['name']
        assert 'password' not in task['ansible.builtin.debug']['msg'], task['name']


def test_role_users_entry_point_validates_then_writes_the_htpasswd_file():
    tasks = _load('tasks', 'users.yml')
    assert tasks[0]['ansible.builtin.include_tasks']['file'] == 'validate.yml'
    assert tasks[0]['when'] == 'registry_validate | bool'
    assert tasks[1:] == [{'name': 'Write the htpasswd file', 'ansible.builtin.import_tasks': 'htpasswd.yml'}]
    # The deploy writes the same file with the same tasks.
    assert [task.get('ansible.builtin.import_tasks') for task in _load('tasks', 'files.yml')].count('htpasswd.yml') == 1


def test_role_secrets_dir_defaults_to_one_directory_per_registry():
    """The default is empty in defaults/main.yml and the argument spec (a template there would be resolved before the
    spec's own check says registry_domain is missing: the bad-input case registry-domain-missing); vars/main.yml
    derives the directory."""
    expression = _load('vars', 'main.yml')['__registry_robot_secrets_dir']
    assert _render(expression, registry_robot_secrets_dir='', registry_domain='registry.example.com') == (
        '~/.dockyard-registry/robots/registry.example.com')
    assert _render(expression, registry_robot_secrets_dir='/srv/robots', registry_domain='registry.example.com') == (
        '/srv/robots')
    assert _load('defaults', 'main.yml')['registry_robot_secrets_dir'] == ''


def test_role_validation_passes_the_settings_in_order(tmp_path):
    task = _task('validate.yml', 'Check the registry settings')
    expression = task['vars']['__registry_robot_problems']
    values = {'registry_robots': [{'name': 'ci'}, {'name': 'pusher', 'expires': 'soon'}],
              'registry_users': [{'name': 'ci', 'password': 'x'}], 'registry_robot_htpasswd_cost': 3,
              '__registry_robot_secrets_dir': 'relative', 'registry_robots_rotate': ['ghost'],
              'registry_robot_secrets': {'nobody': 'x' * 40}}
    found = _render(expression, **values)
    assert found == robot_problems(values['registry_robots'], values['registry_users'], 3, 'relative', ['ghost'],
                                   {'nobody': 'x' * 40})
    assert [message.split(' ')[0] for message in found] == [
        'registry_robot_htpasswd_cost', 'registry_robots[0]', 'registry_robots[1]', 'registry_robots_rotate',
        'registry_robot_secrets', 'registry_robot_secrets_dir']
    items = [item for item in task['loop'] if item['variable'].startswith('registry_robots')]
    assert items == [{'variable': 'registry_robots, registry_robot_htpasswd_cost, registry_robot_secrets_dir,'
                                  ' registry_robots_rotate, registry_robot_secrets',
                      'ok': '{{ __registry_robot_problems | length == 0 }}', 'msg': '{{ __registry_robot_problems }}'}]
    values.update(registry_robots=[{'name': 'pusher'}], registry_robot_htpasswd_cost=4,
                  __registry_robot_secrets_dir=str(tmp_path), registry_robots_rotate=[], registry_robot_secrets={})
    assert _render(expression, **values) == []


@pytest.mark.parametrize('rotate, tags, rotated', [
    ([], ['all'], []),
    ([], ['rotate_robots'], ['pusher', 'puller']),
    (['puller'], ['all'], ['puller']),
    (['puller'], ['rotate_robots'], ['puller']),
    (['old'], ['rotate_robots'], []),
])
def test_role_rotated_robots(rotate, tags, rotated):
    robots = [{'name': 'pusher'}, {'name': 'old', 'expires': '2000-01-01'}, {'name': 'puller'}]
    expression = _load('vars', 'main.yml')['__registry_robots_rotated']
    assert _render(expression, registry_robots=robots, registry_robots_rotate=rotate, ansible_run_tags=tags) == rotated


# registry_robot_secrets: secrets given from elsewhere (a vault, the AWX credential).
GIVEN = {'pusher': 'G' * 40}


def test_given_secret_is_used_instead_of_the_file():
    robots = [{'name': 'pusher'}, {'name': 'puller', 'access': 'pull'}]
    files = robot_secret_files(robots, '/s', today='2027-01-01', given=GIVEN)
    assert files == ['/s/puller']
    users = robot_htpasswd_users(robots, '/s', files, ['read-from-file'], 4, today='2027-01-01', given=GIVEN)
    assert users == [{'name': 'pusher', 'password': 'G' * 40, 'cost': 4},
                     {'name': 'puller', 'password': 'read-from-file', 'cost': 4}]
    # Without it, both come from their files (the control).
    assert robot_secret_files(robots, '/s', today='2027-01-01') == ['/s/pusher', '/s/puller']


def test_given_secret_of_an_expired_robot_is_not_used():
    robots = [{'name': 'pusher', 'expires': '2026-12-31'}]
    assert robot_htpasswd_users(robots, '/s', [], [], 4, today='2027-01-01', given=GIVEN) == [
        {'name': 'pusher', 'state': 'absent'}]


def test_given_secret_is_never_rotated():
    robots = [{'name': 'pusher'}, {'name': 'puller'}]
    assert robots_rotated(robots, [], True, today='2027-01-01', given=GIVEN) == ['puller']
    assert robots_rotated(robots, ['pusher'], False, today='2027-01-01', given=GIVEN) == []
    assert robots_rotated(robots, [], True, today='2027-01-01') == ['pusher', 'puller']


def test_given_secrets_are_checked(tmp_path):
    robots = [{'name': 'pusher'}]
    ok = robot_problems(robots, USERS, 4, str(tmp_path), [], GIVEN)
    assert ok == []
    found = robot_problems(robots, USERS, 4, str(tmp_path), ['pusher'], {'pusher': 'short', 'ghost': 'G' * 40})
    assert found == [
        "registry_robot_secrets names 'ghost', which is not in registry_robots",
        "registry_robot_secrets: the secrets of 'pusher' must be strings of at least 32 characters (generated, never"
        ' chosen: their hashes have the low registry_robot_htpasswd_cost)',
        "registry_robots_rotate names 'pusher', whose secret is set in registry_robot_secrets: change it there"]
    assert robot_problems(robots, USERS, 4, str(tmp_path), [], 'secret') == [
        'registry_robot_secrets must be a dictionary of robot names and their secrets, such as {ci-builder: ...}, not a'
        ' single string']


def test_given_secrets_need_no_directory():
    """A robot whose secret is given has no file: the directory is not checked for it (AWX's fresh controller)."""
    assert robot_problems([{'name': 'pusher'}], USERS, 4, 'relative', [], GIVEN) == []
    assert robot_problems([{'name': 'pusher'}], USERS, 4, 'relative', [], {})[0].startswith(
        'registry_robot_secrets_dir must be an absolute path')
