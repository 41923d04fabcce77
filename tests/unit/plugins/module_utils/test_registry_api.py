# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import socket

import pytest

from ansible_collections.dockyard.registry.plugins.module_utils import registry_api as api
from ansible_collections.dockyard.registry.plugins.module_utils.access import pattern_matches
from ansible_collections.dockyard.registry.tests.unit.plugins.module_utils.fake_registry import (
    FakeRegistry, fake_digest)

NOW = calendar.timegm((2026, 11, 30, 12, 0, 0, 0, 0, 0))
DAY = 86400


def iso(days_ago):
    return api.format_time(NOW - days_ago * DAY)


def rules(*specs):
    return api.compile_rules([dict(dict(keep_tags=[], keep_last=None, older_than=None), **spec) for spec in specs])


# --- pattern_matches (access.py) ------------------------------------------------------------------------

@pytest.mark.parametrize('pattern, name, expected', [
    ('*', 'app', True),
    ('*', 'team/app/sub', True),
    ('team-a/*', 'team-a/app', True),
    ('team-a/*', 'team-a/x/y', True),
    ('team-a/*', 'team-a', False),
    ('team-a/*', 'team-b/app', False),
    ('tools/builder', 'tools/builder', True),
    ('tools/builder', 'tools/builder2', False),
    ('a.b', 'axb', False),
    ('*/app', 'x/y/app', True),
    ('*/app', 'app', False),
])
def test_pattern_matches(pattern, name, expected):
    assert pattern_matches(pattern, name) is expected


# --- durations, times, links ---------------------------------------------------------------------------

@pytest.mark.parametrize('text, seconds', [
    ('30d', 30 * DAY), ('12h', 12 * 3600), ('1w3d', 10 * DAY), ('90m', 5400), ('45s', 45), ('1d12h', 36 * 3600),
    ('2W', 14 * DAY),
])
def test_parse_duration(text, seconds):
    assert api.parse_duration(text) == seconds


@pytest.mark.parametrize('text', ['', '30', 'd', '1.5d', '-1d', '30 d', '0d', '0s0m', '30days', 'P30D', None, 30])
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError, match='is not a duration'):
        api.parse_duration(text)


@pytest.mark.parametrize('text, expected', [
    ('2026-11-30T12:00:00Z', NOW),
    ('2026-11-30T12:00:00.123456789Z', NOW + 0.123456789),
    ('2026-11-30T14:00:00+02:00', NOW),
    ('2026-11-30T10:30:00-01:30', NOW),
    ('0001-01-01T00:00:00Z', None),
    ('yesterday', None),
    (None, None),
    (12, None),
])
def test_parse_created(text, expected):
    if expected is None:
        assert api.parse_created(text) is None
    else:
        assert api.parse_created(text) == pytest.approx(expected)


def test_next_link():
    current = 'http://r:5000/v2/_catalog?n=2'
    assert api.next_link('</v2/_catalog?last=b&n=2>; rel="next"', current) == 'http://r:5000/v2/_catalog?last=b&n=2'
    assert api.next_link(None, current) is None
    assert api.next_link('</x>; rel="prev"', current) is None


# --- rules --------------------------------------------------------------------------------------------

def test_rule_problems_accepts_good_rules():
    assert api.rule_problems([dict(repository='*', keep_last=2, keep_tags=['^v'], older_than='30d'),
                              dict(repository='team-a/*', older_than='12h')]) == []


@pytest.mark.parametrize('rule, fragment', [
    (dict(keep_last=2), 'has no repository'),
    (dict(repository='*', keep_last=0), 'keep_last must be a whole number of 1 or more'),
    (dict(repository='*', keep_last=-3), 'keep_last must be'),
    (dict(repository='*', keep_last=1, keep_tags=['^v[']), "keep_tags[0] '^v[' is not a regular expression"),
    (dict(repository='*', older_than='a month'), "older_than 'a month' is not a duration"),
    (dict(repository='*', keep_tags=['^v']), 'give keep_last, older_than or both'),
    (dict(repository='Team/*', keep_last=1), 'upper-case'),
    (dict(repository='https://r/x', keep_last=1), 'scheme'),
])
def test_rule_problems(rule, fragment):
    problems = api.rule_problems([rule])
    assert len(problems) == 1 and fragment in problems[0], problems
    assert problems[0].startswith('rules[0]')


def test_rule_problems_empty():
    assert 'rules is empty' in api.rule_problems([])[0]


def test_match_rules_reports_unused():
    compiled = rules(dict(repository='team/*', keep_last=1), dict(repository='none/*', keep_last=1),
                     dict(repository='*', keep_last=3))
    matched, unused = api.match_rules(compiled, ['team/a', 'solo'])
    assert [rule['index'] for rule in matched['team/a']] == [0, 2]
    assert [rule['index'] for rule in matched['solo']] == [2]
    assert [rule['index'] for rule in unused] == [1]


# --- plan_repository (pure) ----------------------------------------------------------------------------

def image(created_days_ago, *layers, **kw):
    return dict(media_type=api.OCI_MANIFEST, children=[],
                blobs=dict((fake_digest(layer), kw.get('size', 100)) for layer in layers),
                created=None if created_days_ago is None else NOW - created_days_ago * DAY, created_from='config')


def scan(tags, manifests):
    return dict(tags=tags, manifests=manifests, missing_tags=[])


def test_plan_keep_last_and_keep_tags():
    manifests = dict(('d%d' % i, image(i, 'layer%d' % i)) for i in range(1, 7))
    tags = dict(('t%d' % i, 'd%d' % i) for i in range(1, 7))
    tags['v1'] = 'd6'  # the oldest, kept by keep_tags
    result = api.plan_repository('app', scan(tags, manifests),
                                 rules(dict(repository='*', keep_last=2, keep_tags=['^v'])), NOW)
    assert result['kept_tags'] == ['t1', 't2', 'v1']
    assert result['kept_by_digest'] == ['t6']
    assert result['deleted_tags'] == ['t3', 't4', 't5']
    assert [entry['digest'] for entry in result['deleted']] == ['d3', 'd4', 'd5']
    assert result['bytes'] == 300
    assert result['deleted'][0]['created'] == iso(3)
    assert result['delete'] == ['d3', 'd4', 'd5']


def test_plan_never_deletes_a_digest_a_kept_tag_points_at():
    manifests = {'old': image(10, 'a'), 'new': image(1, 'b')}
    # build-1 is old and not kept, but stable (kept by keep_tags) points at the same digest.
    tags = {'build-1': 'old', 'stable': 'old', 'build-2': 'new'}
    result = api.plan_repository('app', scan(tags, manifests),
                                 rules(dict(repository='*', keep_last=1, keep_tags=['^stable$'])), NOW)
    assert result['deleted'] == [] and result['deleted_tags'] == []
    assert result['kept_by_digest'] == ['build-1']


def test_plan_keeps_platforms_of_a_kept_index_and_deletes_only_index_digests():
    manifests = {
        'amd-old': image(9, 'shared-base', 'amd-old'), 'arm-old': image(9, 'shared-base', 'arm-old'),
        'amd-new': image(1, 'shared-base', 'amd-new'), 'arm-new': image(1, 'shared-base', 'arm-new'),
    }
    for name, children in (('idx-old', ['amd-old', 'arm-old']), ('idx-new', ['amd-new', 'arm-new'])):
        blobs = {}
        for child in children:
            blobs.update(manifests[child]['blobs'])
        manifests[name] = dict(media_type=api.OCI_INDEX, children=children, blobs=blobs,
                               created=max(manifests[c]['created'] for c in children), created_from='platforms')
    # A tag straight on a platform manifest of the kept index: it must not be deleted by digest.
    tags = {'m-old': 'idx-old', 'm-new': 'idx-new', 'arm-only': 'arm-new'}
    result = api.plan_repository('multi', scan(tags, manifests), rules(dict(repository='*', keep_last=1)), NOW)
    assert result['kept_tags'] == ['m-new']  # same creation time as arm-only: the tag name breaks the tie
    assert result['kept_by_digest'] == ['arm-only']
    assert result['deleted_tags'] == ['m-old']
    assert [entry['digest'] for entry in result['deleted']] == ['idx-old']
    assert result['deleted'][0]['platforms'] == ['amd-old', 'arm-old']
    # shared-base is used by the kept index: only the two old platform layers are freed
    assert result['bytes'] == 200

    # keep_last 1 with the newest tag on the platform manifest only: the index is not kept, but its platform is.
    tags = {'m-new': 'idx-new', 'arm-only': 'arm-new'}
    manifests['arm-new'] = image(0, 'shared-base', 'arm-new')
    result = api.plan_repository('multi', scan(tags, manifests), rules(dict(repository='*', keep_last=1)), NOW)
    assert result['kept_tags'] == ['arm-only']
    assert [entry['digest'] for entry in result['deleted']] == ['idx-new']
    assert result['deleted'][0]['bytes'] == 100  # amd-new's own layer; arm-new's blobs stay with arm-only


def test_plan_older_than():
    manifests = dict(('d%d' % i, image(i, 'l%d' % i)) for i in (1, 5, 20, 40))
    tags = dict(('t%d' % i, 'd%d' % i) for i in (1, 5, 20, 40))
    result = api.plan_repository('app', scan(tags, manifests), rules(dict(repository='*', older_than='10d')), NOW)
    assert result['deleted_tags'] == ['t20', 't40']
    # with keep_last too: either keeps a tag
    result = api.plan_repository('app', scan(tags, manifests),
                                 rules(dict(repository='*', older_than='10d', keep_last=3)), NOW)
    assert result['deleted_tags'] == ['t40']


def test_plan_union_of_rules_and_unknown_created():
    manifests = {'a': image(1, 'a'), 'b': image(2, 'b'), 'c': image(3, 'c'), 'x': image(None, 'x')}
    tags = {'a': 'a', 'b': 'b', 'c': 'c', 'nodate': 'x'}
    both = rules(dict(repository='*', keep_last=1), dict(repository='app', keep_tags=['^c$'], keep_last=1))
    result = api.plan_repository('app', scan(tags, manifests), both, NOW)
    assert result['rules'] == [0, 1]
    assert result['kept_tags'] == ['a', 'c', 'nodate']
    assert result['unknown_created'] == ['nodate']
    assert result['deleted_tags'] == ['b']


def test_plan_bytes_unknown_when_a_manifest_is_missing():
    missing = dict(media_type=None, children=[], blobs=None, created=None, created_from=None)
    manifests = {'a': image(1, 'a'), 'b': missing, 'c': image(5, 'c')}
    result = api.plan_repository('app', scan({'a': 'a', 'c': 'c'}, manifests),
                                 rules(dict(repository='*', keep_last=1)), NOW)
    assert result['bytes'] == 100
    manifests['c'] = dict(media_type=api.OCI_INDEX, children=['b'], blobs=None, created=NOW - 5 * DAY,
                          created_from='annotation')
    result = api.plan_repository('app', scan({'a': 'a', 'c': 'c'}, manifests),
                                 rules(dict(repository='*', keep_last=1)), NOW)
    assert result['deleted_tags'] == ['c'] and result['bytes'] is None and result['deleted'][0]['bytes'] is None


# --- the client and the scan against a fake registry ----------------------------------------------------

@pytest.fixture
def registry():
    fake = FakeRegistry(username='admin', password='s3cret', page_size=2, redirect_blobs=True)
    with fake.running():
        yield fake


def client_for(fake, password='s3cret'):
    return api.RegistryClient(fake.url, username='admin', password=password)


def test_pagination_of_catalog_and_tags(registry):
    for number in range(5):
        registry.image('repo%d' % number, 'only', iso(1))
        registry.image('big', 't%d' % number, iso(number))
    client = client_for(registry)
    assert client.catalog() == ['big'] + ['repo%d' % number for number in range(5)]
    assert client.tags('big') == ['t%d' % number for number in range(5)]
    assert client.tags('gone') == []
    assert client.requests == 3 + 3 + 1
    assert all('n=' in path for method, path, headers in registry.log if 'list' in path or 'catalog' in path)


def test_manifest_accept_header_and_digest(registry):
    digest = registry.image('app', 'v1', iso(1), layers=['a'])
    client = client_for(registry)
    got, document, media_type = client.manifest('app', 'v1')
    assert got == digest and media_type == api.OCI_MANIFEST and document['layers'][0]['size'] == 1000
    accept = registry.log[-1][2]['accept']
    for media in (api.DOCKER_MANIFEST, api.DOCKER_LIST, api.OCI_MANIFEST, api.OCI_INDEX):
        assert media in accept
    assert client.manifest('app', 'nope') is None


def test_blob_redirect_is_followed_without_credentials_and_cached(registry):
    registry.image('app', 'v1', iso(2))
    client = client_for(registry)
    dummy, document, dummy2 = client.manifest('app', 'v1')
    config = document['config']['digest']
    assert client.blob_json('app', config)['created'] == iso(2)
    assert client.blob_json('app', config)['created'] == iso(2)  # cached
    blob_requests = [entry for entry in registry.log if '/blobs/' in entry[1] or entry[1].startswith('/s3/')]
    assert [path.split('?')[0] for method, path, headers in blob_requests] == [
        '/v2/app/blobs/%s' % config, '/s3/%s' % config]
    assert 'authorization' in blob_requests[0][2]
    assert 'authorization' not in blob_requests[1][2]


def test_wrong_credentials(registry):
    with pytest.raises(api.RegistryError, match='401 Unauthorized: wrong credentials'):
        client_for(registry, password='wrong').ping()
    with pytest.raises(api.RegistryError, match='needs credentials'):
        api.RegistryClient(registry.url).ping()


def test_delete_not_enabled():
    fake = FakeRegistry(delete_enabled=False)
    with fake.running():
        digest = fake.image('app', 'v1', iso(1))
        with pytest.raises(api.RegistryError, match='405 Method Not Allowed.*registry_delete_enabled: true'):
            api.RegistryClient(fake.url).delete_manifest('app', digest)


def test_unreachable():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    with pytest.raises(api.RegistryError, match='refused the connection'):
        api.RegistryClient('http://127.0.0.1:%d' % port, timeout=5).ping()


def test_scan_repository_index_creation_times(registry):
    amd = registry.image('multi', None, iso(5), layers=['base', 'amd'])
    arm = registry.image('multi', None, iso(3), layers=['base', 'arm'])
    plain = registry.index('multi', 'plain', [amd, arm])
    amd2 = registry.image('multi', None, iso(30), layers=['amd2'])
    annotated = registry.index('multi', 'annotated', [amd2], annotations={api.CREATED_ANNOTATION: iso(1)})
    nodate = registry.image('multi', 'nodate', None, layers=['n'])
    result = api.scan_repository(client_for(registry), 'multi')
    infos = result['manifests']
    assert result['tags'] == {'plain': plain, 'annotated': annotated, 'nodate': nodate}
    assert infos[plain]['created'] == NOW - 3 * DAY and infos[plain]['created_from'] == 'platforms'
    assert infos[plain]['children'] == [amd, arm]
    assert len(infos[plain]['blobs']) == 5  # 2 configs and 3 distinct layers
    assert infos[annotated]['created'] == NOW - DAY and infos[annotated]['created_from'] == 'annotation'
    assert infos[nodate]['created'] is None


@pytest.mark.parametrize('status, headers, fragment', [
    (401, {'WWW-Authenticate': 'Bearer realm="https://auth.example.com/token"'}, 'Basic (htpasswd) credentials only'),
    (403, {}, 'needs an admin user'),
    (500, {}, 'HTTP 500 (UNKNOWN: boom)'),
])
def test_error_messages(status, headers, fragment):
    client = api.RegistryClient('http://127.0.0.1:1', username='admin', password='x')
    body = b'{"errors": [{"code": "UNKNOWN", "message": "boom"}]}'
    assert fragment in client._explain('GET', 'http://127.0.0.1:1/v2/_catalog', status, headers, body)


def test_no_registry_api_at_url():
    client = api.RegistryClient('http://127.0.0.1:1')
    assert 'no registry API at this URL' in client._explain('GET', 'http://127.0.0.1:1/v2/', 404, {}, b'')


class StubClient(object):
    """tags and manifests from dicts; a tag whose manifest is None was deleted after the tag list was read."""

    def __init__(self, tags, manifests):
        self._tags, self._manifests = tags, manifests

    def tags(self, repository):
        return list(self._tags[repository])

    def manifest(self, repository, reference):
        digest = self._tags[repository].get(reference, reference)
        document = self._manifests.get(digest)
        return None if document is None else (digest, document, document['mediaType'])

    def blob_json(self, repository, digest):
        return {'created': iso(1)}


def test_scan_skips_a_tag_deleted_meanwhile_and_a_missing_platform_makes_bytes_unknown():
    image_doc = dict(mediaType=api.OCI_MANIFEST, config=dict(mediaType='application/vnd.oci.image.config.v1+json',
                                                             digest='sha256:c', size=10),
                     layers=[dict(digest='sha256:l', size=90)])
    index_doc = dict(mediaType=api.OCI_INDEX, manifests=[dict(digest='sha256:img'), dict(digest='sha256:gone')])
    client = StubClient({'r': {'a': 'sha256:img', 'b': 'sha256:deleted', 'i': 'sha256:idx'}},
                        {'sha256:img': image_doc, 'sha256:idx': index_doc})
    result = api.scan_repository(client, 'r')
    assert result['missing_tags'] == ['b']
    assert result['tags'] == {'a': 'sha256:img', 'i': 'sha256:idx'}
    assert result['manifests']['sha256:img']['blobs'] == {'sha256:c': 10, 'sha256:l': 90}
    assert result['manifests']['sha256:idx']['blobs'] is None
    # the platform that is there still dates the index
    assert result['manifests']['sha256:idx']['created'] == NOW - DAY
    assert result['manifests']['sha256:idx']['created_from'] == 'platforms'
