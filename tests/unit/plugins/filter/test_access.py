# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/filter/access.py: the filters the roles and the site's wiring call (module_utils/access.py does the work;
tests/unit/plugins/module_utils/test_access.py checks the rules and the maps in detail)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest

from ansible_collections.dockyard.registry.plugins.filter import access as access_filter
from ansible_collections.dockyard.registry.plugins.filter.access import (
    FilterModule, access_problems, access_rules, htpasswd_users, nginx_access_maps)

SECRET = 'correct horse battery staple'
USERS = [
    {'name': 'ci', 'password': SECRET, 'access': 'pull'},
    {'name': 'robot', 'password': SECRET, 'repositories': ['team-a/*']},
    {'name': 'root', 'password': SECRET, 'access': 'admin'},
    {'name': 'gone', 'state': 'absent'},
]


def test_filters_are_registered():
    assert FilterModule().filters() == {
        'access_problems': access_problems, 'access_rules': access_rules,
        'htpasswd_users': htpasswd_users, 'nginx_access_maps': nginx_access_maps,
    }


def test_access_problems_fine():
    assert access_problems(USERS, 'registry_users', True) == []
    assert access_problems([], 'nginx_access_rules') == []
    # The site's wiring: the rules derived from registry_users pass the nginx role's check.
    assert access_problems(access_rules(USERS), 'nginx_access_rules') == []


@pytest.mark.parametrize('users', ['alice', None, {'name': 'alice'}])
def test_access_problems_users_shape_left_to_htpasswd(users):
    # registry_users that is not a list: the htpasswd rules' message, not a second one here.
    assert access_problems(users, 'registry_users', True) == []


@pytest.mark.parametrize('rules', ['ci', None, {'name': 'ci'}])
def test_access_problems_rules_not_a_list(rules):
    assert access_problems(rules, 'nginx_access_rules') == [
        'nginx_access_rules must be a list of dictionaries with name, access and repositories']


def test_access_problems_rules_entries_not_dicts():
    assert access_problems([{'name': 'ci'}, 'robot', 5], 'nginx_access_rules') == [
        'nginx_access_rules must be a list of dictionaries with name, access and repositories; 2 of its entries are not'
        ' dictionaries']


def test_access_problems_name_the_variable_and_entry():
    problems = access_problems([USERS[0], dict(USERS[1], access='write', repositories=['..'])], 'registry_users', True)
    assert problems[0] == "registry_users[1] ('robot'): access must be one of pull, push, admin, not 'write'"
    assert problems[1].startswith("registry_users[1] ('robot'): repositories[0] '..' is not a repository name or pattern")
    assert len(problems) == 2


def test_access_problems_default_variable():
    assert access_problems([{'name': 'ci', 'access': 'write'}]) == ["rules[0] ('ci'): access must be one of pull, push,"
                                                                    " admin, not 'write'"]


def test_access_rules_drop_passwords_and_absent_users():
    rules = access_rules(USERS + [{'name': 'bad', 'password': SECRET, 'access': 'write'}])
    assert rules == [
        {'name': 'ci', 'access': 'pull'},
        {'name': 'robot', 'access': 'push', 'repositories': ['team-a/*']},
        {'name': 'root', 'access': 'admin'},
    ]
    assert SECRET not in repr(rules)


def test_a_users_own_cost_goes_to_the_htpasswd_module_not_to_nginx():
    users = [{'name': 'reaper', 'password': SECRET, 'access': 'admin', 'cost': 4},
             {'name': 'robot', 'password': SECRET, 'repositories': ['team-a/*'], 'cost': 5}, {'name': 'alice', 'password': SECRET}]
    assert access_problems(users, 'registry_users', True) == []
    assert access_rules(users) == [{'name': 'reaper', 'access': 'admin'}, {'name': 'robot', 'access': 'push', 'repositories': ['team-a/*']},
                                   {'name': 'alice', 'access': 'push'}]
    assert access_problems(access_rules(users), 'nginx_access_rules') == []
    assert htpasswd_users(users) == [{'name': 'reaper', 'password': SECRET, 'cost': 4}, {'name': 'robot', 'password': SECRET, 'cost': 5},
                                     {'name': 'alice', 'password': SECRET}]


def test_htpasswd_users():
    assert htpasswd_users(USERS) == [
        {'name': 'ci', 'password': SECRET}, {'name': 'robot', 'password': SECRET}, {'name': 'root', 'password': SECRET},
        {'name': 'gone', 'state': 'absent'}]
    assert htpasswd_users(None) == []


def test_nginx_access_maps():
    assert nginx_access_maps([]) == {'request': [], 'user': [], 'source': []}
    maps = nginx_access_maps(access_rules(USERS))
    assert sorted(maps) == ['request', 'source', 'user']
    # In order: no user name first, then each user's entries (nginx takes the first regex that matches).
    assert maps['user'] == [
        ['~^:', '1'], ['~^ci:(?:base|catalog|read):', '1'], ['~^robot:base:$', '1'],
        ['~^robot:(?:read|write):(?:team-a\\x2f[a-z0-9._/-]+)$', '1'], ['~^root:', '1']]
    assert maps['source'] == [
        ['~^[^:]*:$', '1'], ['~^:', '1'], ['~^ci:', '1'],
        ['~^robot:(?:team-a(?:/|%2[Ff])(?:[a-z0-9._-]|%2[Ff])+)$', '1'], ['~^root:', '1']]
    assert [value for _key, value in maps['request']] == [
        'base:', 'catalog:'] + ['%s:$dockyard_repository' % operation for operation in ('read', 'read', 'write', 'write', 'write', 'delete')]
    # Each regex compiles (PCRE named groups as Python's) and the first entry that matches wins, as in nginx.
    for entries in maps.values():
        for key, _value in entries:
            re.compile(key[1:].replace('(?<', '(?P<').encode('ascii'))


def test_the_filter_is_the_module_utils_code():
    assert access_filter.access.nginx_maps(access_rules(USERS)) == nginx_access_maps(access_rules(USERS))
