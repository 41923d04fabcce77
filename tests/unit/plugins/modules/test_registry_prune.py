# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""dockyard.registry.registry_prune run in-process against an in-memory registry API on a loopback port
(tests/unit/plugins/module_utils/fake_registry.py), over real HTTP."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket
import time

import pytest

from unittest.mock import patch

from ansible.module_utils import basic

from ansible_collections.dockyard.registry.plugins.module_utils import registry_api as api
from ansible_collections.dockyard.registry.plugins.modules import registry_prune
from ansible_collections.dockyard.registry.tests.unit.plugins.modules import utils
from ansible_collections.dockyard.registry.tests.unit.plugins.modules.utils import AnsibleExitJson, AnsibleFailJson
from ansible_collections.dockyard.registry.tests.unit.plugins.module_utils.fake_registry import FakeRegistry

PASSWORD = 'pr0ne-Secret-42'
DAY = 86400


def iso(days_ago):
    return api.format_time(time.time() - days_ago * DAY)


def run(registry, rules, check_mode=False, expect=AnsibleExitJson, **extra):
    args = dict(url=registry.url, username='admin', password=PASSWORD, rules=rules)
    args.update(extra)
    warnings = []
    with patch.object(basic.AnsibleModule, 'warn', lambda self, message: warnings.append(message)):
        result = utils.call(registry_prune.main, args, expect, check_mode=check_mode)
    result['_warnings'] = warnings
    return result


def populate(registry):
    """Two repositories of 6 tags with distinct layers and a v1 release, a two-platform index, a tag sharing a
    layer with another repository, and a second tag on one digest. Returns {name: digest}."""
    digests = {}
    for repo in ('team/app', 'team/web'):
        for number in range(1, 7):
            digests['%s:%d' % (repo, number)] = registry.image(repo, 'build-%d' % number, iso(10 - number),
                                                               layers=['%s-%d' % (repo, number)])
        digests['%s:v1' % repo] = registry.image(repo, 'v1.0', iso(60), layers=['%s-v1' % repo])
    registry.tag('team/app', 'sha-1', digests['team/app:1'])
    amd_old = registry.image('multi', None, iso(9), layers=['base', 'amd-old'])
    arm_old = registry.image('multi', None, iso(9), layers=['base', 'arm-old'])
    amd_new = registry.image('multi', None, iso(1), layers=['base', 'amd-new'])
    arm_new = registry.image('multi', None, iso(1), layers=['base', 'arm-new'])
    digests['multi:old'] = registry.index('multi', 'old', [amd_old, arm_old])
    digests['multi:older'] = registry.index('multi', 'older', [amd_old, arm_old],
                                            annotations={api.CREATED_ANNOTATION: iso(20)})
    digests['multi:new'] = registry.index('multi', 'new', [amd_new, arm_new])
    digests['multi:platforms'] = [amd_old, arm_old, amd_new, arm_new]
    digests['other:shared'] = registry.image('other', 'shared', iso(30), layers=['team/app-1', 'own'])
    digests['other:new'] = registry.image('other', 'new', iso(0), layers=['other-new'])
    return digests


RULES = [dict(repository='team/*', keep_last=2, keep_tags=['^v']),
         dict(repository='multi', keep_last=1),
         dict(repository='other', keep_last=1),
         dict(repository='nothing/*', older_than='30d')]


@pytest.fixture
def registry():
    fake = FakeRegistry(username='admin', password=PASSWORD, page_size=3, redirect_blobs=True)
    with fake.running():
        yield fake


def expected(digests):
    return {
        'team/app': (['build-1', 'build-2', 'build-3', 'build-4', 'sha-1'],
                     sorted(digests['team/app:%d' % n] for n in range(1, 5))),
        'team/web': (['build-1', 'build-2', 'build-3', 'build-4'],
                     sorted(digests['team/web:%d' % n] for n in range(1, 5))),
        'multi': (['old', 'older'], sorted([digests['multi:old'], digests['multi:older']])),
        'other': (['shared'], [digests['other:shared']]),
    }


def check_result(result, digests):
    by_name = dict((repo['name'], repo) for repo in result['repositories'])
    assert sorted(by_name) == ['multi', 'other', 'team/app', 'team/web']
    for name, (tags, deleted) in expected(digests).items():
        assert by_name[name]['deleted_tags'] == tags, name
        assert [entry['digest'] for entry in by_name[name]['deleted']] == deleted, name
    assert by_name['team/app']['kept_tags'] == ['build-5', 'build-6', 'v1.0']
    # each deleted image of team/* had one layer of 1000 bytes and its config
    app = by_name['team/app']
    assert all(entry['bytes'] > 1000 for entry in app['deleted'])
    assert app['bytes'] == sum(entry['bytes'] for entry in app['deleted'])
    # the old platforms' own layers (2 x 1000) and configs; base stays with the kept index
    multi = by_name['multi']
    assert 2000 < multi['bytes'] < 3000
    assert sorted(multi['deleted'][0]['platforms'] + multi['deleted'][1]['platforms']) == sorted(
        digests['multi:platforms'][:2] * 2)
    created_from = dict((entry['tags'][0], entry['created_from']) for entry in multi['deleted'])
    assert created_from == {'old': 'platforms', 'older': 'annotation'}
    assert result['summary']['deleted_digests'] == 4 + 4 + 2 + 1
    assert result['summary']['deleted_tags'] == 5 + 4 + 2 + 1
    assert result['summary']['repositories'] == 4
    assert result['_warnings'] == ["rules[3]: repository 'nothing/*' matches no repository in the registry (4"
                                   " repositories); nothing is deleted by it"]


def test_check_mode_reports_and_deletes_nothing(registry):
    digests = populate(registry)
    before = json.dumps(registry.repos, sort_keys=True, default=str)
    result = run(registry, RULES, check_mode=True)
    assert result['changed'] is True
    check_result(result, digests)
    assert registry.requests('DELETE') == []
    assert json.dumps(registry.repos, sort_keys=True, default=str) == before
    assert PASSWORD not in json.dumps(result)


def test_real_run_deletes_exactly_the_reported_digests(registry):
    digests = populate(registry)
    checked = run(registry, RULES, check_mode=True)
    result = run(registry, RULES)
    assert result['changed'] is True
    check_result(result, digests)
    # same structure (and content) as check mode, but for the cost figures
    for key in ('requests', 'seconds'):
        checked['summary'].pop(key)
        result['summary'].pop(key)
    assert checked == result
    deleted = [path.rsplit('/', 1)[1] for method, path, headers in registry.requests('DELETE')]
    assert sorted(deleted) == sorted(digest for tags, digests_ in expected(digests).values() for digest in digests_)
    assert registry.tags('team/app') == {'build-5': digests['team/app:5'], 'build-6': digests['team/app:6'],
                                         'v1.0': digests['team/app:v1']}
    assert sorted(registry.tags('multi')) == ['new']
    # the platform manifests of the deleted indexes are left to garbage collection; the kept index is whole
    assert all(registry.has_manifest('multi', digest) for digest in digests['multi:platforms'])
    again = run(registry, RULES)
    assert again['changed'] is False and again['summary']['deleted_digests'] == 0


def test_password_is_no_log():
    spec = {}

    def capture(**kwargs):
        spec.update(kwargs['argument_spec'])
        raise AnsibleExitJson({})

    with patch.object(registry_prune, 'AnsibleModule', side_effect=capture):
        with pytest.raises(AnsibleExitJson):
            registry_prune.main()
    assert spec['password']['no_log'] is True


def test_delete_not_enabled_fails_clearly():
    fake = FakeRegistry(delete_enabled=False)
    with fake.running():
        populate(fake)
        result = run(fake, RULES[:1], expect=AnsibleFailJson)
        assert 'registry_delete_enabled: true' in result['msg'] and '405' in result['msg']
        assert result['deleted_so_far'] == [] and result['changed'] is False
        assert len(fake.requests('DELETE')) == 1  # the first refused delete stops the run
        # check mode does not need deletes
        assert run(fake, RULES[:1], check_mode=True)['summary']['deleted_digests'] == 8


def test_wrong_credentials(registry):
    populate(registry)
    result = run(registry, RULES, expect=AnsibleFailJson, password='wrong')
    assert 'wrong credentials' in result['msg'] and '401' in result['msg']
    assert 'wrong' not in json.dumps(result).replace('wrong credentials', '')


def test_unreachable_registry():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    args = dict(url='http://127.0.0.1:%d' % port, rules=[dict(repository='*', keep_last=1)])
    result = utils.call(registry_prune.main, args, AnsibleFailJson)
    assert 'refused the connection' in result['msg'] and 'url' in result['msg']


@pytest.mark.parametrize('rules, fragment', [
    ([dict(keep_last=1)], 'missing required arguments: repository'),
    ([dict(repository='*', keep_last=0)], 'keep_last must be a whole number of 1 or more'),
    ([dict(repository='*', keep_last=1, keep_tags=['(v'])], 'is not a regular expression'),
    ([dict(repository='*', older_than='a fortnight')], "older_than 'a fortnight' is not a duration"),
    ([dict(repository='*', keep_tags=['^v'])], 'give keep_last, older_than or both'),
])
def test_bad_input_fails_before_any_request(registry, rules, fragment):
    result = run(registry, rules, expect=AnsibleFailJson)
    assert fragment in result['msg']
    assert registry.log == []


def test_bad_url():
    result = utils.call(registry_prune.main, dict(url='127.0.0.1:5000', rules=[dict(repository='*', keep_last=1)]),
                        AnsibleFailJson)
    assert 'url must start with http:// or https://' in result['msg']


def test_500_tags_in_10_repositories_requests_are_linear(registry):
    """The request count is linear in the tags (no request per pair of tags), and configs are read once per
    digest. The wall-clock target (500 tags under 10 s against a real registry) is measured by hand and by the
    benchmark: here the in-memory server shares the process (and the GIL) with the module, so only a loose
    bound that catches a quadratic blow-up is asserted."""
    for repo in range(10):
        for number in range(50):
            registry.image('repo%d' % repo, 't%02d' % number, iso(number + 1),
                           layers=['r%d-%d-a' % (repo, number), 'shared-base'])
    # a second tag on every image of repo0: one more manifest GET each, no more config GET
    for number in range(50):
        registry.tag('repo0', 'alias-%02d' % number, registry.tags('repo0')['t%02d' % number])
    registry.page_size = 1000
    started = time.monotonic()
    result = run(registry, [dict(repository='*', keep_last=10, keep_tags=['^t0[0-4]$'])], check_mode=True)
    seconds = time.monotonic() - started
    summary = result['summary']
    # keep_last counts tags: in repo0 the 10 most recent tags are 5 images with two tags each
    assert summary['tags'] == 550 and summary['deleted_digests'] == 9 * 40 + 45
    assert summary['deleted_tags'] == 9 * 40 + 45 * 2
    # ping + catalog + per repository: tag list, a manifest GET per tag, a GET per config blob (which the
    # server answers with a 307 to the S3-like URL: two requests on its side)
    assert summary['requests'] == 2 + 10 * (1 + 50 + 50) + 50
    assert len(registry.log) == 2 + 10 * (1 + 50 + 100) + 50
    assert seconds < 60, seconds
