# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/module_utils/access.py: patterns, the rules' messages, access_rules, without_access and the nginx maps.

The maps are checked the way nginx uses them (roles/nginx/templates/dockyard-registry.conf.j2): every entry is a
regular expression ("~" prefix), the first one that matches in the order given wins, else the map's default.
nginx's PCRE runs without UTF mode, so the regexes are compiled as bytes regexes and the keys encoded as UTF-8:
a user name with non-ASCII letters must match byte for byte. PCRE's "(?<name>" is Python's "(?P<name>".
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest

from ansible_collections.dockyard.registry.plugins.module_utils import access

NOT_A_PATTERN = 'is not a repository name or pattern'


@pytest.mark.parametrize('pattern', [
    '*', 'team-a/*', 'tools/builder', 'a', 'team_a/app', 'a__b', 'a.b/c-d/e', 'team-a/*/cache', '*/app', 'team-*',
    'a--b', '0/1',
])
def test_pattern_good(pattern):
    assert access.pattern_problem(pattern) is None


@pytest.mark.parametrize('pattern, start', [
    ('', 'is empty'),
    ('https://x/app', 'has a scheme'),
    ('registry.example.com://team-a', 'has a scheme'),
    ('Team-A/*', 'has upper-case letters'),
    ('team-a/**', "has '**'"),
    ('..', NOT_A_PATTERN),
    ('team-a/../team-b', NOT_A_PATTERN),
    ('a//b', NOT_A_PATTERN),
    ('/team-a', NOT_A_PATTERN),
    ('team-a/', NOT_A_PATTERN),
    ('team-a/app:latest', NOT_A_PATTERN),
    ('team-a/app@sha256:0123', NOT_A_PATTERN),
    ('team a', NOT_A_PATTERN),
    ('-team', NOT_A_PATTERN),
    ('team-a\n', NOT_A_PATTERN),
    ('team%2fa', NOT_A_PATTERN),
    ('jürgen/*', NOT_A_PATTERN),
])
def test_pattern_bad(pattern, start):
    problem = access.pattern_problem(pattern)
    assert problem is not None and problem.startswith(start), problem


@pytest.mark.parametrize('pattern, shape', [(None, 'a NoneType'), (['team-a/*'], 'a list'), ({'a': 1}, 'a dictionary'), (5, 'a int')])
def test_pattern_not_a_string(pattern, shape):
    assert access.pattern_problem(pattern) == 'must be a string, not %s' % shape


USER = {'name': 'alice', 'password': 'pw'}


def users_problems(entries):
    return access.rule_problems(entries, 'registry_users', allow_password=True)


def rules_problems(entries):
    return access.rule_problems(entries, 'nginx_access_rules')


def test_rule_problems_fine():
    assert users_problems([USER, dict(USER, name='ci', access='pull'), dict(USER, name='root', access='admin'),
                           dict(USER, name='bot', access='push', repositories=['team-a/*', 'tools/builder']),
                           dict(USER, name='any', repositories=['*']), {'name': 'gone', 'state': 'absent'}]) == []
    assert users_problems(None) == [] and users_problems([]) == []
    # Entries that are not dictionaries are the caller's shape check.
    assert users_problems(['alice', 5]) == []
    # access_rules' own output is a valid nginx_access_rules: repositories null means every repository.
    assert rules_problems([{'name': 'ci', 'access': 'pull', 'repositories': None},
                           {'name': 'bot', 'access': 'push', 'repositories': ['team-a/*']}, {'name': 'root', 'access': 'admin'}]) == []


@pytest.mark.parametrize('entry, message', [
    (dict(USER, access='write'), "registry_users[0] ('alice'): access must be one of pull, push, admin, not 'write'"),
    (dict(USER, access='Pull'), "registry_users[0] ('alice'): access must be one of pull, push, admin, not 'Pull'"),
    (dict(USER, access=None), "registry_users[0] ('alice'): access must be one of pull, push, admin, not None"),
    (dict(USER, repositories='team-a/*'),
     "registry_users[0] ('alice'): repositories must be a list of patterns such as [team-a/*, tools/builder], not a string"),
    (dict(USER, repositories={'team-a': '*'}),
     "registry_users[0] ('alice'): repositories must be a list of patterns such as [team-a/*, tools/builder], not a dictionary"),
    # In registry_users, null is no list: a forgotten list never means every repository.
    (dict(USER, repositories=None),
     "registry_users[0] ('alice'): repositories must be a list of patterns such as [team-a/*, tools/builder], not a NoneType"),
    (dict(USER, repositories=[]),
     "registry_users[0] ('alice'): repositories is an empty list, which would allow no repository at all; remove the key for"
     " every repository, or list patterns"),
    (dict(USER, access='admin', repositories=['team-a/*']),
     "registry_users[0] ('alice'): repositories cannot limit an admin user (admins delete and read the catalog of every"
     " repository); remove repositories, or give access: push or pull"),
    (dict(USER, repositories=['team-a/*', '']), "registry_users[0] ('alice'): repositories[1] '' is empty"),
    (dict(USER, repositories=['Team-A/*']),
     "registry_users[0] ('alice'): repositories[0] 'Team-A/*' has upper-case letters: repository names are lower case"),
    (dict(USER, repositories=[5]), "registry_users[0] ('alice'): repositories[0] (a int) must be a string, not a int"),
    ({'password': 'pw', 'access': 'write'}, "registry_users[0]: access must be one of pull, push, admin, not 'write'"),
])
def test_rule_problems_each_message(entry, message):
    assert users_problems([entry]) == [message]


def test_rule_problems_pattern_message_names_the_pattern():
    problems = users_problems([USER, dict(USER, name='bob', repositories=['team-a/*', '..'])])
    assert len(problems) == 1
    assert problems[0].startswith("registry_users[1] ('bob'): repositories[1] '..' is not a repository name or pattern")


def test_rule_problems_every_problem_of_an_entry():
    assert users_problems([dict(USER, access='admin', repositories=['', 'https://x/app'])]) == [
        "registry_users[0] ('alice'): repositories cannot limit an admin user (admins delete and read the catalog of every"
        " repository); remove repositories, or give access: push or pull",
        "registry_users[0] ('alice'): repositories[0] '' is empty",
        "registry_users[0] ('alice'): repositories[1] 'https://x/app' has a scheme: give the repository path only, such as"
        " team-a/* (no registry name or scheme)",
    ]


def test_rule_problems_users_leave_names_and_duplicates_to_htpasswd():
    # registry_users: names, unknown keys and duplicates are the htpasswd rules' messages, not repeated here.
    assert users_problems([USER, USER, {'name': 'a:b', 'password': 'pw', 'pasword': 'x'}]) == []


@pytest.mark.parametrize('entries, message', [
    ([{'name': 'ci', 'password': 'pw'}], "nginx_access_rules[0] ('ci') has unknown keys password; allowed: name, access, repositories"),
    ([{'name': 'ci'}, {'name': 'ci', 'access': 'pull'}],
     "nginx_access_rules[1]: user 'ci' is listed twice (also nginx_access_rules[0]); list each user once"),
    ([{'name': ''}], "nginx_access_rules[0]: name must be a user name (a non-empty string without ':', line breaks or surrounding"
                     " white space)"),
    ([{'name': 'a:b'}], "nginx_access_rules[0]: name must be a user name (a non-empty string without ':', line breaks or"
                        " surrounding white space)"),
    ([{'name': ' ci'}], "nginx_access_rules[0]: name must be a user name (a non-empty string without ':', line breaks or"
                        " surrounding white space)"),
    ([{'access': 'pull'}], "nginx_access_rules[0]: name must be a user name (a non-empty string without ':', line breaks or"
                           " surrounding white space)"),
    ([{'name': 'ci', 'access': 'write'}], "nginx_access_rules[0] ('ci'): access must be one of pull, push, admin, not 'write'"),
])
def test_rule_problems_rules_check_names_too(entries, message):
    assert rules_problems(entries) == [message]


SECRET = 'correct horse battery staple'


def test_access_rules():
    users = [
        {'name': 'ci', 'password': SECRET, 'access': 'pull'},
        {'name': 'robot', 'password': SECRET, 'repositories': ['team-a/*', 'tools/builder']},
        {'name': 'root', 'password': SECRET, 'access': 'admin', 'state': 'present'},
        {'name': 'gone', 'state': 'absent', 'access': 'admin'},
        {'name': 'bad', 'password': SECRET, 'access': 'write'},
        {'name': 'bad-pattern', 'password': SECRET, 'repositories': ['..']},
        {'name': 'limited-admin', 'password': SECRET, 'access': 'admin', 'repositories': ['team-a/*']},
        'not-a-dict', {'password': SECRET}, {'name': 5, 'password': SECRET},
        # Listed twice (refused under registry_users): one rule, the first.
        {'name': 'ci', 'password': 'other', 'access': 'admin'},
    ]
    rules = access.access_rules(users)
    assert rules == [
        {'name': 'ci', 'access': 'pull'},
        {'name': 'robot', 'access': 'push', 'repositories': ['team-a/*', 'tools/builder']},
        {'name': 'root', 'access': 'admin'},
    ]
    assert SECRET not in repr(rules) and 'password' not in repr(rules)
    # A copy: changing the rules does not change the users.
    rules[1]['repositories'].append('x')
    assert users[1]['repositories'] == ['team-a/*', 'tools/builder']
    # The output passes the nginx role's check (no second report of anything).
    assert access.rule_problems(rules, 'nginx_access_rules') == []


@pytest.mark.parametrize('users', [None, 'alice', {'name': 'alice'}, []])
def test_access_rules_not_a_list(users):
    assert access.access_rules(users) == []


def test_without_access():
    users = [{'name': 'ci', 'password': SECRET, 'access': 'pull', 'repositories': ['team-a/*']},
             {'name': 'gone', 'state': 'absent'}]
    assert access.without_access(users) == [{'name': 'ci', 'password': SECRET}, {'name': 'gone', 'state': 'absent'}]
    assert users[0]['access'] == 'pull'  # not changed in place
    assert access.without_access(None) == [] and access.without_access([]) == []


def test_without_access_keeps_a_users_own_cost():
    users = [{'name': 'reaper', 'password': SECRET, 'access': 'admin', 'cost': 4}, {'name': 'ci', 'password': SECRET, 'cost': None}]
    assert access.without_access(users) == [{'name': 'reaper', 'password': SECRET, 'cost': 4}, {'name': 'ci', 'password': SECRET, 'cost': None}]
    # The nginx side never gets it.
    assert access.access_rules(users) == [{'name': 'reaper', 'access': 'admin'}, {'name': 'ci', 'access': 'push'}]


# --- The nginx maps, evaluated as nginx evaluates them ---------------------------------------------------------------

def compile_entry(entry):
    key, value = entry
    assert key.startswith('~'), key  # every entry is a case-sensitive regex
    regex = key[1:].replace('(?<', '(?P<')
    assert '(?<' not in regex.replace('(?<=', '').replace('(?<!', '')
    return re.compile(regex.encode('ascii')), value  # the config file is ASCII: other bytes are \xHH


def lookup(entries, key, default):
    """nginx's map: the first regex that matches KEY (as UTF-8 bytes) gives the value ($name: a named capture)."""
    data = key.encode('utf-8')
    for regex, value in [compile_entry(entry) for entry in entries]:
        match = regex.search(data)
        if match:
            return re.sub(r'\$(\w+)', lambda m: match.group(m.group(1)).decode('utf-8'), value)
    return default


RULES = [
    {'name': 'ci', 'access': 'pull', 'repositories': None},
    {'name': 'dev', 'access': 'push', 'repositories': None},
    {'name': 'root', 'access': 'admin', 'repositories': None},
    {'name': 'robot', 'access': 'push', 'repositories': ['team-a/*', 'tools/builder']},
    {'name': 'reader', 'access': 'pull', 'repositories': ['team-a/*']},
    {'name': 'a.b+c', 'access': 'pull', 'repositories': None},
    {'name': "o'neil", 'access': 'push', 'repositories': ['team-b/*']},
    {'name': u'jürgen', 'access': 'pull', 'repositories': None},
]
MAPS = access.nginx_maps(RULES)


def request_of(line):
    return lookup(MAPS['request'], line, 'other:')


def decide(user, line, source=''):
    """nginx's decision: allowed when the user map and the source map both say 1 ($dockyard_denied)."""
    allowed = lookup(MAPS['user'], '%s:%s' % (user, request_of(line)), '0')
    readable = lookup(MAPS['source'], '%s:%s' % (user, source), '0')
    return allowed + readable == '11'


def test_nginx_maps_empty_without_rules():
    assert access.nginx_maps([]) == {'request': [], 'user': [], 'source': []}
    assert access.nginx_maps(None) == {'request': [], 'user': [], 'source': []}


DIGEST = 'sha256:' + '0123456789abcdef' * 4


@pytest.mark.parametrize('line, expected', [
    ('GET /v2/', 'base:'),
    ('HEAD /v2/', 'base:'),
    ('GET /v2/?x=1', 'base:'),
    ('GET /v2/_catalog', 'catalog:'),
    ('GET /v2/_catalog?n=10', 'catalog:'),
    ('GET /v2/team-a/app/manifests/latest', 'read:team-a/app'),
    ('HEAD /v2/team-a/app/manifests/' + DIGEST, 'read:team-a/app'),
    ('GET /v2/team-a/app/blobs/' + DIGEST, 'read:team-a/app'),
    ('GET /v2/team-a/app/referrers/' + DIGEST + '?artifactType=x', 'read:team-a/app'),
    ('GET /v2/team-a/app/tags/list', 'read:team-a/app'),
    ('GET /v2/team-a/app/tags/list?n=10&last=v1', 'read:team-a/app'),
    ('GET /v2/app/tags/list', 'read:app'),
    ('POST /v2/team-a/app/blobs/uploads/', 'write:team-a/app'),
    ('POST /v2/x/blobs/uploads/?mount=%s&from=a%%2Fb' % DIGEST, 'write:x'),
    ('POST /v2/x/blobs/uploads/?digest=' + DIGEST, 'write:x'),
    ('PATCH /v2/x/blobs/uploads/0b9a3c9e-uuid?_state=abc', 'write:x'),
    ('PUT /v2/x/blobs/uploads/0b9a3c9e-uuid?digest=' + DIGEST, 'write:x'),
    ('GET /v2/x/blobs/uploads/0b9a3c9e-uuid', 'write:x'),
    ('DELETE /v2/x/blobs/uploads/0b9a3c9e-uuid', 'write:x'),
    ('PUT /v2/team-a/app/manifests/v1', 'write:team-a/app'),
    ('DELETE /v2/x/manifests/' + DIGEST, 'delete:x'),
    ('DELETE /v2/x/blobs/' + DIGEST, 'delete:x'),
    # Anything else is "other": admins only.
    ('GET /v2/a/../b/tags/list', 'other:'),
    ('GET /v2/team-a%2fapp/tags/list', 'other:'),
    ('GET /v2/Team-A/app/tags/list', 'other:'),
    ('GET /v2//team-a/app/tags/list', 'other:'),
    ('GET /v2/team-a/app/tags/list/', 'other:'),
    ('PUT /v2/x/blobs/' + DIGEST, 'other:'),
    ('POST /v2/x/manifests/v1', 'other:'),
    ('OPTIONS /v2/', 'other:'),
    ('GET /v3/x/tags/list', 'other:'),
    ('GET /v2/x/manifests/', 'other:'),
    # An upload start whose ?from= nginx and the registry could read differently ($arg_from matches the name
    # case-insensitively and undecoded; the registry's r.FormValue decodes it, case-sensitively).
    ('POST /v2/x/blobs/uploads/?mount=%s&FROM=x%%2Fa&from=team-b%%2Fapp' % DIGEST, 'other:'),
    ('POST /v2/x/blobs/uploads/?mount=%s&fr%%6Fm=team-b%%2Fapp' % DIGEST, 'other:'),
])
def test_nginx_request_map(line, expected):
    assert request_of(line) == expected


def test_nginx_request_map_order():
    # The catalog before the repositories, and the upload entries before DELETE of a blob ("first match wins").
    keys = [entry[1].split(':', maxsplit=1)[0] for entry in MAPS['request']]
    assert keys == ['base', 'catalog', 'read', 'read', 'write', 'write', 'write', 'delete']


READ = 'GET /v2/%s/manifests/latest'
TAGS = 'GET /v2/%s/tags/list'
PUSH = 'PUT /v2/%s/manifests/v1'
UPLOAD = 'POST /v2/%s/blobs/uploads/'
DELETE_MANIFEST = 'DELETE /v2/%s/manifests/' + DIGEST
CATALOG = 'GET /v2/_catalog'
OTHER = 'GET /v2/a/../b/tags/list'


@pytest.mark.parametrize('user, line, expected', [
    # pull, every repository
    ('ci', 'GET /v2/', True), ('ci', READ % 'team-b/app', True), ('ci', TAGS % 'x', True), ('ci', CATALOG, True),
    ('ci', PUSH % 'x', False), ('ci', UPLOAD % 'x', False), ('ci', DELETE_MANIFEST % 'x', False), ('ci', OTHER, False),
    # push, every repository
    ('dev', READ % 'x', True), ('dev', PUSH % 'x', True), ('dev', UPLOAD % 'new/repo', True), ('dev', CATALOG, True),
    ('dev', DELETE_MANIFEST % 'x', False), ('dev', OTHER, False),
    # admin: everything
    ('root', DELETE_MANIFEST % 'x', True), ('root', OTHER, True), ('root', CATALOG, True), ('root', PUSH % 'x', True),
    # push limited to team-a/* and tools/builder
    ('robot', 'GET /v2/', True), ('robot', PUSH % 'team-a/app', True), ('robot', UPLOAD % 'team-a/deep/app', True),
    ('robot', READ % 'tools/builder', True), ('robot', PUSH % 'tools/builder', True),
    ('robot', PUSH % 'team-b/app', False), ('robot', READ % 'team-b/app', False), ('robot', TAGS % 'team-b/app', False),
    ('robot', READ % 'team-a', False), ('robot', PUSH % 'tools/builder2', False), ('robot', READ % 'tools/builder/x', False),
    ('robot', READ % 'xteam-a/app', False), ('robot', CATALOG, False), ('robot', DELETE_MANIFEST % 'team-a/app', False),
    # pull limited to team-a/*
    ('reader', READ % 'team-a/app', True), ('reader', PUSH % 'team-a/app', False), ('reader', READ % 'team-b/app', False),
    ('reader', CATALOG, False),
    # Names with characters the regexes must take literally.
    ('a.b+c', READ % 'x', True), ('a.b+c', PUSH % 'x', False), ('aXb+c', READ % 'x', False), ('a.bbc', READ % 'x', False),
    ('a.b+', READ % 'x', False), ("o'neil", PUSH % 'team-b/app', True), ("o'neil", PUSH % 'team-a/app', False),
    ('oXneil', PUSH % 'team-b/app', False), (u'jürgen', READ % 'x', True), (u'jürgen', PUSH % 'x', False),
    (u'jurgen', READ % 'x', False), (u'JÜRGEN', READ % 'x', False),
    # A user not in the rules may do nothing; no user name: the registry answers (401 and its challenge).
    ('mallory', 'GET /v2/', False), ('mallory', READ % 'x', False), ('ci2', READ % 'x', False), ('c', READ % 'x', False),
    ('', PUSH % 'x', True), ('', DELETE_MANIFEST % 'x', True),
])
def test_nginx_user_decisions(user, line, expected):
    assert decide(user, line) is expected


MOUNT = 'POST /v2/%s/blobs/uploads/?mount=' + DIGEST + '&from=%s'


@pytest.mark.parametrize('user, target, source, expected', [
    ('robot', 'team-a/app', 'team-b%2Fapp', False),
    ('robot', 'team-a/app', 'team-b%2fapp', False),
    ('robot', 'team-a/app', 'team-a%2Fbase', True),
    ('robot', 'team-a/app', 'team-a%2fbase', True),
    ('robot', 'team-a/app', 'team-a/base', True),
    ('robot', 'team-a/app', 'tools%2Fbuilder', True),
    ('robot', 'team-a/app', 'tools%2Fbuilder%2Fx', False),
    ('robot', 'team-a/app', 'team-a', False),
    ('robot', 'team-a/app', 'team-a%2F', False),
    ('robot', 'team-a/app', 'team%2Da%2Fapp', False),  # other escapes: not read as team-a/app
    ('robot', 'team-b/app', 'team-a%2Fbase', False),  # the target itself is refused
    ("o'neil", 'team-b/app', 'team-b%2Fbase', True),
    ("o'neil", 'team-b/app', 'team-a%2Fbase', False),
    ('dev', 'team-a/app', 'team-b%2Fapp', True),  # every repository
    ('root', 'team-a/app', 'team-b%2Fapp', True),
    ('ci', 'team-a/app', 'team-b%2Fapp', False),  # may read the source, may not write
])
def test_nginx_mount_source(user, target, source, expected):
    line = MOUNT % (target, source)
    assert request_of(line) == 'write:' + target
    assert decide(user, line, source) is expected


def test_nginx_source_map_without_from_or_user():
    assert lookup(MAPS['source'], 'robot:', '0') == '1'
    assert lookup(MAPS['source'], ':team-b%2Fapp', '0') == '1'
    assert lookup(MAPS['source'], 'mallory:team-a%2Fapp', '0') == '0'


def test_nginx_maps_names_escaped_for_the_config_file():
    # Every key is ASCII without quotes, line breaks, backslashes other than \xHH and \?, braces or semicolons: it can be written
    # between double quotes in nginx's configuration.
    for entries in MAPS.values():
        for key, value in entries:
            assert key.encode('ascii')
            assert not re.search(r'["{};\t\r\n]', key), key
            assert not re.search(r'\\(?!x[0-9a-f]{2}|\?)', key), key
    names = [key for key, value in MAPS['user']]
    assert r'~^a\x2eb\x2bc:(?:base|catalog|read):' in names
    assert r'~^o\x27neil:base:$' in names
    assert r'~^j\xc3\xbcrgen:(?:base|catalog|read):' in names


def test_unknown_keys_of_any_type():
    """A key YAML reads as a number is named as text (sorting it with strings used to raise TypeError)."""
    assert access.rule_problems([{'name': 'ci', 2: 'x', 'pasword': 'y'}], 'nginx_access_rules') == [
        "nginx_access_rules[0] ('ci') has unknown keys 2, pasword; allowed: name, access, repositories"]
    assert access.unknown_keys_problem('x', {'name': 'a'}, access.KEYS) is None
    assert access.unknown_keys_problem('x', {'b': 1}, ('a',), ' (hint)') == 'x has unknown keys b; allowed: a (hint)'
