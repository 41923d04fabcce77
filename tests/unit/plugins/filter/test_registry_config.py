# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for the registry_config and registry_config_path filters.

Each CASES entry is compared with golden/<name>.yml: the parsed structures must be equal, keys in
the same order, and no value anywhere may be None or ''. Regenerate the goldens after an
intended change with DOCKYARD_UPDATE_GOLDEN=1 and review the diff.
"""

import json
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import to_nice_yaml

from ansible_collections.dockyard.registry.plugins.filter.registry_config import (
    FilterModule,
    registry_config,
    registry_config_path,
)

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')
UPDATE_GOLDEN = os.environ.get('DOCKYARD_UPDATE_GOLDEN') == '1'

SECRET = 'not-a-real-secret-0123456789'

S3_BASE = {
    'storage': 's3',
    's3_bucket': 'dockyard-registry',
    's3_region': 'eu-west-1',
    'http_secret': SECRET,
}

CASES = {
    # Defaults everywhere except the required settings, plus the external URL and a debug server.
    'filesystem_v2': {
        'dialect': '2',
        'http_secret': SECRET,
        'http_host': 'https://registry.example.com',
        'debug_addr': '127.0.0.1:5001',
    },
    'filesystem_v3': {
        'dialect': 3,  # an integer, as YAML gives it without quotes
        'http_secret': SECRET,
        'filesystem_rootdirectory': '/srv/registry',
        'delete_enabled': True,
        'debug_addr': ':5001',
        'debug_prometheus': True,
    },
    's3_keys_v2': dict(
        S3_BASE,
        dialect='2',
        s3_access_key='AKIAEXAMPLEEXAMPLE',
        s3_secret_key='example/secret/key',
        s3_rootdirectory='/registry',
        s3_encrypt=True,
        s3_keyid='arn:aws:kms:eu-west-1:111122223333:key/example',
        s3_chunksize=10485760,
        s3_storageclass='STANDARD',
    ),
    's3_instance_role_v3': dict(S3_BASE, dialect='3', redirect_disable=True),
    's3_endpoint_v2': dict(
        S3_BASE,
        dialect='2',
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_access_key='minio',
        s3_secret_key='minio-secret',
        s3_secure=False,
    ),
    's3_endpoint_v3': dict(
        S3_BASE,
        dialect='3',
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_access_key='minio',
        s3_secret_key='minio-secret',
        s3_secure=False,
        s3_skipverify=True,
    ),
    # An HTTP health check of the S3 endpoint, with the timeout the storage driver's check lacks.
    's3_health_http_v2': dict(
        S3_BASE,
        dialect='2',
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_secure=False,
        health_http=[
            {'uri': 'http://minio:9000/dockyard-registry', 'statuscode': '403', 'timeout': '5s',
             'interval': '10s', 'threshold': 3},
            {'uri': 'https://status.example.com/ok', 'timeout': '2s', 'headers': {'X-Probe': 'registry'},
             'interval': '', 'threshold': None},
        ],
    ),
    'redis_v2': {
        'dialect': '2',
        'http_secret': SECRET,
        'cache': 'redis',
        'redis_addr': 'redis:6379',
        'redis_password': 'redis-password',
        'redis_db': 0,
    },
    'redis_v3': {
        'dialect': '3',
        'http_secret': SECRET,
        'cache': 'redis',
        'redis_addr': 'redis:6379',
        'redis_db': '2',
    },
    # Everything else that changes the shape of the output.
    'options_v2': {
        'dialect': '2',
        'http_secret': SECRET,
        'auth': 'none',
        'cache': 'none',
        'http_addr': '0.0.0.0:5000',
        'http_relativeurls': 'yes',
        'http_headers': {'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': ['DENY']},
        'uploadpurging_enabled': False,
        'readonly': True,
        'health_storagedriver_enabled': False,
        'log_level': 'debug',
        'log_formatter': 'json',
        'log_fields': {},
        'proxy_remoteurl': 'https://registry-1.docker.io',
        'proxy_username': 'hubuser',
        'proxy_password': 'hubtoken',
        # Unset values and the settings of unselected drivers/caches are ignored.
        'http_host': '',
        'redis_addr': None,
        's3_bucket': 'ignored-with-filesystem',
    },
}


class _GoldenDumper(yaml.SafeDumper):
    """Indent block sequences under their key, so the goldens pass the repository's yamllint."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _golden_path(name):
    return os.path.join(GOLDEN_DIR, '%s.yml' % name)


def _empty_values(data, path='config'):
    """Paths of every None or '' value (or empty container) in a nested structure."""
    found = []
    if isinstance(data, dict):
        if not data:
            found.append(path)
        for key, value in data.items():
            found.extend(_empty_values(value, '%s.%s' % (path, key)))
    elif isinstance(data, list):
        if not data:
            found.append(path)
        for index, value in enumerate(data):
            found.extend(_empty_values(value, '%s[%d]' % (path, index)))
    elif data is None or data == '':
        found.append(path)
    return found


@pytest.mark.parametrize('name', sorted(CASES))
def test_golden(name):
    result = registry_config(CASES[name])
    path = _golden_path(name)
    if UPDATE_GOLDEN:
        with open(path, 'w') as f:
            f.write('# Generated by test_registry_config.py (DOCKYARD_UPDATE_GOLDEN=1): case %s\n' % name)
            yaml.dump(result, f, Dumper=_GoldenDumper, sort_keys=False, default_flow_style=False, explicit_start=True)
    with open(path) as f:
        expected = yaml.safe_load(f)
    assert result == expected
    # Same key order too (json.dumps keeps insertion order), so the written file is deterministic.
    assert json.dumps(result) == json.dumps(expected)
    assert _empty_values(result) == []


@pytest.mark.parametrize('name', sorted(CASES))
def test_round_trip_through_to_nice_yaml(name):
    """The role writes the result with to_nice_yaml: that must give back the same data."""
    result = registry_config(CASES[name])
    assert yaml.safe_load(to_nice_yaml(result, indent=2, sort_keys=False)) == result
    assert yaml.safe_load(to_nice_yaml(result)) == result


def test_no_golden_without_case():
    stale = sorted(set(f[:-4] for f in os.listdir(GOLDEN_DIR) if f.endswith('.yml')) - set(CASES))
    assert stale == []


def test_section_order_follows_upstream_sample():
    result = registry_config(dict(CASES['redis_v3'], proxy_remoteurl='https://mirror.example.com'))
    assert list(result) == ['version', 'log', 'storage', 'auth', 'http', 'redis', 'health', 'proxy']
    assert result['version'] == '0.1'


def test_instance_role_has_no_key_entries():
    s3 = registry_config(CASES['s3_instance_role_v3'])['storage']['s3']
    assert 'accesskey' not in s3
    assert 'secretkey' not in s3
    assert s3['bucket'] == 'dockyard-registry'


@pytest.mark.parametrize('unset', [None, ''])
def test_unset_keys_mean_instance_role(unset):
    s3 = registry_config(dict(CASES['s3_keys_v2'], s3_access_key=unset, s3_secret_key=unset))['storage']['s3']
    assert 'accesskey' not in s3 and 'secretkey' not in s3


def test_endpoint_v2_has_no_forcepathstyle():
    s3 = registry_config(CASES['s3_endpoint_v2'])['storage']['s3']
    assert s3['regionendpoint'] == 'http://minio:9000'
    assert 'forcepathstyle' not in s3


def test_endpoint_v3_forces_path_style():
    s3 = registry_config(CASES['s3_endpoint_v3'])['storage']['s3']
    assert s3['forcepathstyle'] is True


def test_v3_forcepathstyle_explicit_false_is_kept():
    s3 = registry_config(dict(CASES['s3_endpoint_v3'], s3_forcepathstyle=False))['storage']['s3']
    assert s3['forcepathstyle'] is False


def test_v3_without_endpoint_leaves_forcepathstyle_out():
    assert 'forcepathstyle' not in registry_config(CASES['s3_instance_role_v3'])['storage']['s3']


def test_v4auth_is_never_written():
    for name in ('s3_keys_v2', 's3_endpoint_v2', 's3_endpoint_v3', 's3_instance_role_v3'):
        assert 'v4auth' not in registry_config(CASES[name])['storage']['s3']


def test_redis_address_shape_per_dialect():
    assert registry_config(CASES['redis_v2'])['redis']['addr'] == 'redis:6379'
    assert registry_config(CASES['redis_v3'])['redis'] == {'addrs': ['redis:6379'], 'db': 2}


def test_booleans_and_integers_keep_their_types():
    result = registry_config(dict(CASES['s3_keys_v2'], s3_secure='false', delete_enabled='yes',
                                  s3_chunksize='5242880', health_storagedriver_threshold='5'))
    assert result['storage']['s3']['secure'] is False
    assert result['storage']['delete']['enabled'] is True
    assert result['storage']['s3']['chunksize'] == 5242880
    assert result['health']['storagedriver']['threshold'] == 5
    assert result['storage']['maintenance']['uploadpurging']['dryrun'] is False


def test_input_is_not_modified():
    settings = dict(CASES['options_v2'])
    snapshot = json.dumps(settings)
    registry_config(settings)
    assert json.dumps(settings) == snapshot


def test_defaults_are_not_shared_between_calls():
    first = registry_config(CASES['filesystem_v2'])
    first['http']['headers']['X-Content-Type-Options'].append('changed')
    first['log']['fields']['changed'] = True
    second = registry_config(CASES['filesystem_v2'])
    assert second['http']['headers'] == {'X-Content-Type-Options': ['nosniff']}
    assert second['log']['fields'] == {'service': 'registry'}


def _fs(**changes):
    settings = {'dialect': '2', 'http_secret': SECRET}
    settings.update(changes)
    return settings


def _s3(**changes):
    settings = dict(S3_BASE, dialect='2')
    settings.update(changes)
    return settings


ERRORS = [
    # (id, settings, fragment of the expected message)
    ('not-a-dict', ['dialect', '2'], 'the input must be a dictionary'),
    ('unknown-key', _fs(s3_bucktet='x'), 'unknown setting(s) s3_bucktet; allowed settings are: dialect, storage'),
    ('dialect-missing', {'http_secret': SECRET}, 'dialect is required'),
    ('dialect-empty', _fs(dialect=''), 'dialect is required'),
    ('dialect-unknown', _fs(dialect='2.8'), "dialect must be one of '2', '3', got '2.8'"),
    ('storage-unknown', _fs(storage='azure'), "storage must be one of 'filesystem', 's3', got 'azure'"),
    ('s3-no-bucket', _s3(s3_bucket=None), 's3_bucket is required when storage is s3'),
    ('s3-no-region', _s3(s3_region=''), 's3_region is required when storage is s3'),
    ('s3-only-access-key', _s3(s3_access_key='AKIA'), 's3_access_key/s3_secret_key must be set together'),
    ('s3-only-secret-key', _s3(s3_secret_key='secret'), 's3_access_key/s3_secret_key must be set together'),
    ('s3-keyid-without-encrypt', _s3(s3_keyid='key'), 's3_keyid needs s3_encrypt: true'),
    ('s3-forcepathstyle-v2', _s3(s3_endpoint='http://minio:9000', s3_forcepathstyle=True),
     "s3_forcepathstyle is only supported with dialect '3'"),
    ('s3-chunksize-small', _s3(s3_chunksize=1024), 's3_chunksize must be at least 5242880, got 1024'),
    ('s3-chunksize-type', _s3(s3_chunksize='10MB'), "s3_chunksize must be an integer, got '10MB'"),
    ('s3-secure-type', _s3(s3_secure='maybe'), "s3_secure must be a boolean (true or false), got 'maybe'"),
    ('http-secret-missing', {'dialect': '2'}, 'http_secret is required'),
    ('http-secret-empty', _fs(http_secret=''), 'http_secret is required'),
    ('http-secret-type', _fs(http_secret=['a']), 'http_secret must be a string, got list'),
    ('http-headers-type', _fs(http_headers=['X-A: b']), 'http_headers must be a dictionary, got list'),
    ('http-headers-empty-value', _fs(http_headers={'X-A': []}), 'http_headers must map header names to non-empty lists'),
    ('http-headers-empty-string', _fs(http_headers={'X-A': ['']}), 'http_headers must map header names to non-empty lists'),
    ('prometheus-without-debug', _fs(debug_prometheus=True), 'debug_prometheus needs debug_addr'),
    ('cache-unknown', _fs(cache='memcached'), "cache must be one of 'inmemory', 'redis', 'none', got 'memcached'"),
    ('redis-without-addr', _fs(cache='redis'), "redis_addr is required when cache is 'redis'"),
    ('redis-db-type', _fs(cache='redis', redis_addr='r:6379', redis_db='one'), "redis_db must be an integer, got 'one'"),
    ('auth-unknown', _fs(auth='token'), "auth must be one of 'htpasswd', 'none', got 'token'"),
    ('log-level-unknown', _fs(log_level='verbose'), "log_level must be one of 'error', 'warn', 'info', 'debug'"),
    ('log-formatter-unknown', _fs(log_formatter='yaml'), "log_formatter must be one of 'text', 'json', 'logstash'"),
    ('log-fields-empty-value', _fs(log_fields={'service': ''}), 'log_fields must map field names to non-empty'),
    ('purge-age-duration', _fs(uploadpurging_age='1 week'), "uploadpurging_age must be a duration such as 10s"),
    ('purge-interval-duration', _fs(uploadpurging_interval=24), "uploadpurging_interval must be a duration"),
    ('health-interval-duration', _fs(health_storagedriver_interval='10'), 'health_storagedriver_interval must be a duration'),
    ('health-threshold-zero', _fs(health_storagedriver_threshold=0), 'health_storagedriver_threshold must be at least 1'),
    ('health-http-type', _fs(health_http={'uri': 'http://s3:5000/b'}), 'health_http must be a list of checks, got dict'),
    ('health-http-item-type', _fs(health_http=['http://s3:5000/b']), 'health_http[0] must be a dictionary'),
    ('health-http-unknown-key', _fs(health_http=[{'uri': 'http://s3:5000/b', 'timeout': '5s', 'status': 200}]),
     'health_http[0] has unknown key(s) status; allowed: uri, headers'),
    ('health-http-uri', _fs(health_http=[{'uri': 's3:5000/b', 'timeout': '5s'}]), "health_http[0].uri must be an http(s) URL, got 's3:5000/b'"),
    ('health-http-no-timeout', _fs(health_http=[{'uri': 'http://s3:5000/b'}]), 'health_http[0].timeout is required'),
    ('health-http-timeout-duration', _fs(health_http=[{'uri': 'http://s3:5000/b', 'timeout': 5}]),
     'health_http[0].timeout must be a duration such as 5s, got 5'),
    ('health-http-interval-duration', _fs(health_http=[{'uri': 'http://s3:5000/b', 'timeout': '5s', 'interval': '1 minute'}]),
     "health_http[0].interval must be a duration"),
    ('health-http-statuscode', _fs(health_http=[{'uri': 'http://s3:5000/b', 'timeout': '5s', 'statuscode': 42}]),
     'health_http[0].statuscode must be an HTTP status code (100-599), got 42'),
    ('health-http-threshold', _fs(health_http=[{'uri': 'http://s3:5000/b', 'timeout': '5s', 'threshold': 0}]),
     'health_http[0].threshold must be an integer of at least 1, got 0'),
    ('health-http-headers', _fs(health_http=[{'uri': 'http://s3:5000/b', 'timeout': '5s', 'headers': {'X-A': []}}]),
     'health_http[0].headers must map header names to non-empty lists'),
    ('readonly-type', _fs(readonly='sometimes'), 'readonly must be a boolean'),
    ('proxy-only-username', _fs(proxy_remoteurl='https://r.example.com', proxy_username='u'),
     'proxy_username/proxy_password must be set together'),
    ('proxy-credentials-without-url', _fs(proxy_username='u', proxy_password='p'), 'proxy_username needs proxy_remoteurl'),
]


@pytest.mark.parametrize('settings, message', [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_validation_errors(settings, message):
    with pytest.raises(AnsibleFilterError) as excinfo:
        registry_config(settings)
    assert message in str(excinfo.value)


def test_unknown_key_message_lists_every_allowed_key():
    with pytest.raises(AnsibleFilterError) as excinfo:
        registry_config(_fs(registry_dialect='2'))
    message = str(excinfo.value)
    for key in ('dialect', 's3_forcepathstyle', 'http_secret', 'redis_addr', 'proxy_password'):
        assert key in message


@pytest.mark.parametrize('value, expected', [
    ('2', '/etc/docker/registry/config.yml'),
    (2, '/etc/docker/registry/config.yml'),
    ('3', '/etc/distribution/config.yml'),
    (3, '/etc/distribution/config.yml'),
    ({'dialect': '3', 'http_secret': SECRET}, '/etc/distribution/config.yml'),
])
def test_config_path(value, expected):
    assert registry_config_path(value) == expected


@pytest.mark.parametrize('value', ['4', None, True, {'http_secret': SECRET}])
def test_config_path_rejects_unknown_dialect(value):
    with pytest.raises(AnsibleFilterError, match="dialect must be one of '2', '3'"):
        registry_config_path(value)


def test_filter_module_exports_both_filters():
    filters = FilterModule().filters()
    assert filters['registry_config'] is registry_config
    assert filters['registry_config_path'] is registry_config_path
