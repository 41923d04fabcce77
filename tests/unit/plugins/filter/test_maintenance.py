# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plugins/filter/maintenance.py: the retention rules' checks (registry_api.rule_problems, named as the role's
variables), the garbage collection's command per version and the reading of its output."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.filter.maintenance import (
    FilterModule, registry_gc_command, registry_gc_summary, retention_problems)

USERS = [
    {'name': 'reaper', 'password': 'x' * 20, 'access': 'admin'},
    {'name': 'ci', 'password': 'y' * 20},
    {'name': 'old', 'password': 'z' * 20, 'access': 'admin', 'state': 'absent'},
]
GOOD = [{'repository': 'team-a/*', 'keep_last': 10, 'keep_tags': ['^v[0-9]', '^latest$']},
        {'repository': '*', 'older_than': '30d'}]


def test_filters_are_registered():
    assert FilterModule().filters() == {
        'retention_problems': retention_problems, 'registry_gc_command': registry_gc_command,
        'registry_gc_summary': registry_gc_summary}


def test_good_rules_and_an_admin_pass():
    assert retention_problems(GOOD, USERS, 'reaper') == []


@pytest.mark.parametrize('rules', [[], None])
def test_no_rules_need_no_user(rules):
    assert retention_problems(rules, USERS, '') == []


@pytest.mark.parametrize('rule, words', [
    ({'keep_last': 2}, ['registry_retention_rules[0] has no repository']),
    ({'repository': 'app', 'keep_last': 0}, ['registry_retention_rules[0] (app): keep_last must be a whole number of 1 or more, not 0']),
    ({'repository': 'app', 'keep_last': -3}, ['keep_last must be a whole number of 1 or more, not -3']),
    ({'repository': 'app', 'keep_last': True}, ['keep_last must be a whole number']),
    ({'repository': 'app', 'keep_last': 2, 'keep_tags': ['^v(']}, ["keep_tags[0] '^v(' is not a regular expression"]),
    ({'repository': 'app', 'older_than': '30 days'}, ["older_than '30 days' is not a duration"]),
    ({'repository': 'app', 'older_than': '0d'}, ["older_than '0d' is not a duration"]),
    ({'repository': 'app', 'older_than': 30}, ["older_than '30' is not a duration"]),
    ({'repository': 'app', 'keep_tags': ['^v']}, ['give keep_last, older_than or both']),
    ({'repository': 'Team-A/*', 'keep_last': 1}, ["repository 'Team-A/*'"]),
    ({'repository': 5, 'keep_last': 1}, ['repository must be a string', 'has no repository']),
    ({'repository': 'app', 'keep_last': 1, 'keep_tags': '^v'}, ['keep_tags must be a list of regular expressions']),
    ({'repository': 'app', 'keep_last': 1, 'keep': 3}, ['has unknown keys keep: a rule takes repository']),
])
def test_each_bad_rule_is_named(rule, words):
    problems = retention_problems([GOOD[0], rule], USERS, 'reaper')
    text = '; '.join(problems)
    for word in words:
        assert word.replace('registry_retention_rules[0]', 'registry_retention_rules[1]') in text
    assert 'registry_retention_rules[0]' not in text  # the good rule is not blamed


def test_every_problem_is_reported_at_once():
    problems = retention_problems([{'keep_last': 0}, {'repository': 'a', 'older_than': 'soon'}, 'app'], USERS, 'ci')
    assert len(problems) == 5, problems
    assert problems[0] == 'registry_retention_rules[2] must be a dictionary with repository and keep_last, older_than or both; got a string'


@pytest.mark.parametrize('value, shape', [('app', 'a string'), ({'repository': 'a'}, 'a dictionary'), (3, 'a number')])
def test_rules_must_be_a_list(value, shape):
    assert retention_problems(value, USERS, 'reaper') == [
        'registry_retention_rules must be a list of rules (dictionaries with repository and keep_last, older_than or both);'
        ' got %s' % shape]


@pytest.mark.parametrize('user, words', [
    ('', 'registry_retention_user is required with registry_retention_rules'),
    (None, 'registry_retention_user is required'),
    ('nobody', "registry_retention_user 'nobody' is not a user of registry_users"),
    ('old', "registry_retention_user 'old' is not a user of registry_users"),
    ('ci', "registry_retention_user 'ci' has access push in registry_users: retention deletes manifests, give it access admin"),
])
def test_the_user_must_be_a_present_admin(user, words):
    assert retention_problems(GOOD, USERS, user) == [words] or words in retention_problems(GOOD, USERS, user)[0]


def test_variable_names_are_the_callers():
    problems = retention_problems([{'repository': 'a', 'keep_last': 0}], USERS, 'x', 'rules', 'user')
    assert problems[0].startswith('rules[0] (a): keep_last')
    assert problems[1].startswith("user 'x'")


@pytest.mark.parametrize('dialect, dry_run, untagged, expected', [
    ('3', False, True, ['garbage-collect', '--delete-untagged', '/etc/distribution/config.yml']),
    ('3', True, True, ['garbage-collect', '--dry-run', '--delete-untagged', '/etc/distribution/config.yml']),
    ('3', False, False, ['garbage-collect', '/etc/distribution/config.yml']),
    # 2.8 deletes the platform manifests of a kept index with --delete-untagged (distribution#3178): never given.
    ('2', False, True, ['garbage-collect', '/etc/distribution/config.yml']),
    ('2', True, True, ['garbage-collect', '--dry-run', '/etc/distribution/config.yml']),
    (3, False, True, ['garbage-collect', '--delete-untagged', '/etc/distribution/config.yml']),
])
def test_gc_command(dialect, dry_run, untagged, expected):
    assert registry_gc_command('/etc/distribution/config.yml', dialect, dry_run, untagged) == expected


@pytest.mark.parametrize('path, dialect, words', [
    ('/c.yml', '', 'dialect must be 2 or 3'), ('/c.yml', '4', 'dialect must be 2 or 3'),
    ('config.yml', '3', 'config_path must be an absolute path'), (None, '3', 'config_path must be an absolute path')])
def test_gc_command_refuses(path, dialect, words):
    with pytest.raises(AnsibleFilterError, match=words):
        registry_gc_command(path, dialect)


# What registry 2.8.2 printed for a dry run in molecule/retention (shortened).
OUTPUT = """app-a
app-a: marking manifest sha256:aaa
app-a: marking blob sha256:bbb
multi

14 blobs marked, 9 blobs and 0 manifests eligible for deletion
blob eligible for deletion: sha256:ccc
blob eligible for deletion: sha256:ddd
blob eligible for deletion: sha256:ccc
"""


def test_gc_summary_reads_the_counts():
    assert registry_gc_summary(OUTPUT) == {'done': True, 'marked': 14, 'blobs': 9, 'manifests': 0, 'errors': []}
    assert registry_gc_summary(OUTPUT.splitlines()) == registry_gc_summary(OUTPUT)


@pytest.mark.parametrize('output', ['', None, 'app-a\napp-a: marking manifest sha256:aaa\n', 42])
def test_gc_summary_of_a_run_that_stopped(output):
    assert registry_gc_summary(output) == {'done': False, 'marked': None, 'blobs': None, 'manifests': None, 'errors': []}


def test_gc_summary_takes_the_last_summary_line():
    assert registry_gc_summary('1 blobs marked, 2 blobs and 3 manifests eligible for deletion\n'
                               '4 blobs marked, 5 blobs and 6 manifests eligible for deletion')['marked'] == 4


# What registry 2.8.2 printed when its storage went away part way (the S3 endpoint stopped), shortened; and 3.x's
# command-level failure.
FAILED = """app-a
app-a: marking manifest sha256:aaa
time="2026-12-07T10:00:00Z" level=info msg="Deleting blob: /docker/registry/v2/blobs/sha256/aa/aa/data"
time="2026-12-07T10:00:01Z" level=error msg="s3aws: RequestError: send request failed" go.version=go1.19.8
failed to garbage collect: failed to mark: s3aws: RequestError: send request failed
"""


def test_gc_summary_keeps_the_lines_that_say_what_failed():
    summary = registry_gc_summary(FAILED)
    assert summary['done'] is False
    assert summary['errors'] == [
        'time="2026-12-07T10:00:01Z" level=error msg="s3aws: RequestError: send request failed" go.version=go1.19.8',
        'failed to garbage collect: failed to mark: s3aws: RequestError: send request failed']
    # Routine lines are never errors (the control: a run with only them reports none).
    assert registry_gc_summary(FAILED.splitlines()[:3])['errors'] == []


def test_gc_summary_keeps_the_last_three_errors():
    output = '\n'.join('level=error msg="try %d"' % n for n in range(5))
    assert registry_gc_summary(output)['errors'] == ['level=error msg="try 2"', 'level=error msg="try 3"',
                                                     'level=error msg="try 4"']


def test_gc_summary_of_a_configuration_error():
    output = ('configuration error: open /etc/distribution/config.yml: no such file or directory\n'
              'Usage: \n  registry garbage-collect <config> [flags]\n')
    assert registry_gc_summary(output)['errors'] == [
        'configuration error: open /etc/distribution/config.yml: no such file or directory']
