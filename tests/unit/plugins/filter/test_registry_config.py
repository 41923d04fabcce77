# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for the registry configuration filters, and for how the registry role feeds them.

Each CASES entry is compared with golden/<name>.yml: the parsed structures must be equal, keys in
the same order, and no value anywhere may be None or ''. Regenerate the goldens after an
intended change with DOCKYARD_UPDATE_GOLDEN=1 and review the diff.
"""

import json
import os

import pytest
import yaml
from jinja2.nativetypes import NativeEnvironment

from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import to_nice_yaml

from ansible_collections.dockyard.registry.plugins.filter.registry_config import (
    SCHEMA,
    FilterModule,
    registry_config,
    registry_config_path,
    registry_config_problems,
    registry_dialect,
    registry_s3_health_uri,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ROLE = os.path.join(ROOT, 'roles', 'registry')
GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')
UPDATE_GOLDEN = os.environ.get('DOCKYARD_UPDATE_GOLDEN') == '1'

SECRET = 'not-a-real-secret-0123456789'

# Every key, as the registry role sets it by default (None: unset), with the container's layout.
BASE = {
    'dialect': '2',
    'storage': 'filesystem',
    'filesystem_rootdirectory': '/var/lib/registry',
    's3_bucket': '',
    's3_region': '',
    's3_endpoint': '',
    's3_forcepathstyle': '',
    's3_access_key': '',
    's3_secret_key': '',
    's3_rootdirectory': '',
    's3_encrypt': None,
    's3_keyid': '',
    's3_chunksize': 0,
    's3_storageclass': '',
    'auth_htpasswd_path': '/auth/htpasswd',
    'domain': 'Registry Realm',
    'http_addr': ':5000',
    'http_headers': {'X-Content-Type-Options': ['nosniff']},
    'debug_addr': None,
    'delete_enabled': False,
    'redirect_disable': False,
    'cache': 'inmemory',
    'redis_addr': '',
    'redis_password': '',
    'redis_db': None,
    'uploadpurging_enabled': True,
    'uploadpurging_age': '168h',
    'uploadpurging_interval': '24h',
    'uploadpurging_dryrun': False,
    'readonly': False,
    'health_storagedriver_enabled': True,
    'health_storagedriver_interval': '10s',
    'health_storagedriver_threshold': 3,
    'health_s3_check_enabled': False,
    'health_s3_check_timeout': '5s',
    'log_level': 'info',
    'log_formatter': 'text',
    'log_fields': {'service': 'registry'},
}


def settings(**changes):
    result = dict(BASE)
    result.update(changes)
    return result


def s3(**changes):
    return settings(**dict({'storage': 's3', 's3_bucket': 'dockyard-registry', 's3_region': 'eu-west-1'}, **changes))


def config(value, status=403):
    return registry_config(value, http_secret=SECRET, s3_health_status=status)


CASES = {
    # The required settings, plus a debug server.
    'filesystem_v2': settings(debug_addr='127.0.0.1:5001'),
    'filesystem_v3': settings(
        dialect=3,  # an integer, as YAML gives it without quotes
        filesystem_rootdirectory='/srv/registry',
        delete_enabled=True,
        debug_addr=':5001',
    ),
    's3_keys_v2': s3(
        s3_access_key='AKIAEXAMPLEEXAMPLE',
        s3_secret_key='example/secret/key',
        s3_rootdirectory='/registry',
        s3_encrypt=True,
        s3_keyid='arn:aws:kms:eu-west-1:111122223333:key/example',
        s3_chunksize=10485760,
        s3_storageclass='STANDARD',
    ),
    's3_instance_role_v3': s3(dialect='3', redirect_disable=True),
    's3_endpoint_v2': s3(
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_access_key='minio',
        s3_secret_key='minio-secret',
    ),
    's3_endpoint_v3': s3(
        dialect='3',
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_access_key='minio',
        s3_secret_key='minio-secret',
    ),
    # The HTTP health check of the S3 endpoint, with the timeout the storage driver's check lacks.
    's3_health_http_v2': s3(
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        health_s3_check_enabled=True,
    ),
    'redis_v2': settings(cache='redis', redis_addr='redis:6379', redis_password='redis-password', redis_db=0),
    'redis_v3': settings(dialect='3', cache='redis', redis_addr='redis:6379', redis_db='2'),
    # Everything else that changes the shape of the output.
    'options_v2': settings(
        cache='none',
        http_addr='0.0.0.0:5000',
        http_headers={'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': ['DENY']},
        uploadpurging_enabled=False,
        readonly=True,
        health_storagedriver_enabled=False,
        log_level='debug',
        log_formatter='json',
        log_fields={},
        # The settings of unselected drivers/caches are ignored.
        redis_addr=None,
        s3_bucket='ignored-with-filesystem',
        health_s3_check_enabled=True,
    ),
    # The settings a user of the role may add on S3 with distribution 3.
    's3_options_v3': s3(
        dialect='3',
        s3_endpoint='https://ceph.example.com',
        s3_forcepathstyle='false',
        s3_encrypt='true',
        s3_chunksize='52428800',
        s3_storageclass='standard_ia',
        health_s3_check_enabled=True,
        health_s3_check_timeout='2s',
    ),
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
    result = config(CASES[name])
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
    result = config(CASES[name])
    assert yaml.safe_load(to_nice_yaml(result, indent=2, sort_keys=False)) == result
    assert yaml.safe_load(to_nice_yaml(result)) == result


@pytest.mark.parametrize('name', sorted(CASES))
def test_cases_have_no_problems(name):
    assert registry_config_problems(CASES[name], 'registry_') == []


def test_no_golden_without_case():
    stale = sorted(set(f[:-4] for f in os.listdir(GOLDEN_DIR) if f.endswith('.yml')) - set(CASES))
    assert stale == []


def test_section_order_follows_upstream_sample():
    result = config(CASES['redis_v3'])
    assert list(result) == ['version', 'log', 'storage', 'auth', 'http', 'redis', 'health']
    assert result['version'] == '0.1'


def test_instance_role_has_no_key_entries():
    s3_config = config(CASES['s3_instance_role_v3'])['storage']['s3']
    assert 'accesskey' not in s3_config
    assert 'secretkey' not in s3_config
    assert s3_config['bucket'] == 'dockyard-registry'


@pytest.mark.parametrize('unset', [None, ''])
def test_unset_keys_mean_instance_role(unset):
    s3_config = config(dict(CASES['s3_keys_v2'], s3_access_key=unset, s3_secret_key=unset))['storage']['s3']
    assert 'accesskey' not in s3_config and 'secretkey' not in s3_config


def test_endpoint_v2_has_no_forcepathstyle():
    s3_config = config(CASES['s3_endpoint_v2'])['storage']['s3']
    assert s3_config['regionendpoint'] == 'http://minio:9000'
    assert 'forcepathstyle' not in s3_config


def test_endpoint_v3_forces_path_style():
    assert config(CASES['s3_endpoint_v3'])['storage']['s3']['forcepathstyle'] is True


def test_v3_forcepathstyle_explicit_false_is_kept():
    assert config(dict(CASES['s3_endpoint_v3'], s3_forcepathstyle=False))['storage']['s3']['forcepathstyle'] is False


def test_v3_forcepathstyle_without_endpoint():
    assert 'forcepathstyle' not in config(CASES['s3_instance_role_v3'])['storage']['s3']
    assert config(s3(dialect='3', s3_forcepathstyle=True))['storage']['s3']['forcepathstyle'] is True


@pytest.mark.parametrize('endpoint, secure', [('', True), ('http://minio:9000', False), ('https://minio:9000/', True)])
def test_secure_follows_the_endpoint_scheme(endpoint, secure):
    assert config(s3(s3_endpoint=endpoint))['storage']['s3']['secure'] is secure


def test_v4auth_is_never_written():
    for name in ('s3_keys_v2', 's3_endpoint_v2', 's3_endpoint_v3', 's3_instance_role_v3'):
        assert 'v4auth' not in config(CASES[name])['storage']['s3']


def test_chunksize_zero_and_storageclass_empty_are_left_out():
    s3_config = config(s3(s3_chunksize=0, s3_storageclass=''))['storage']['s3']
    assert 'chunksize' not in s3_config and 'storageclass' not in s3_config


def test_auth_is_always_htpasswd():
    assert config(CASES['options_v2'])['auth'] == {'htpasswd': {'realm': 'Registry Realm', 'path': '/auth/htpasswd'}}


def test_redis_address_shape_per_dialect():
    assert config(CASES['redis_v2'])['redis']['addr'] == 'redis:6379'
    assert config(CASES['redis_v3'])['redis'] == {'addrs': ['redis:6379'], 'db': 2}


def test_booleans_and_integers_keep_their_types():
    result = config(dict(CASES['s3_keys_v2'], s3_encrypt='yes', delete_enabled='yes',
                         s3_chunksize='5242880', health_storagedriver_threshold='5'))
    assert result['storage']['s3']['encrypt'] is True
    assert result['storage']['delete']['enabled'] is True
    assert result['storage']['s3']['chunksize'] == 5242880
    assert result['health']['storagedriver']['threshold'] == 5
    assert result['storage']['maintenance']['uploadpurging']['dryrun'] is False


def test_s3_health_check():
    result = config(CASES['s3_health_http_v2'], status='403')
    assert result['health']['http'] == [{'uri': 'http://minio:9000/dockyard-registry', 'statuscode': 403, 'timeout': '5s',
                                         'interval': '10s', 'threshold': 3}]


def test_input_is_not_modified():
    value = dict(CASES['options_v2'])
    snapshot = json.dumps(value)
    config(value)
    assert json.dumps(value) == snapshot


def test_results_are_not_shared_between_calls():
    first = config(CASES['filesystem_v2'])
    first['http']['headers']['X-Content-Type-Options'].append('changed')
    first['log']['fields']['changed'] = True
    second = config(CASES['filesystem_v2'])
    assert second['http']['headers'] == {'X-Content-Type-Options': ['nosniff']}
    assert second['log']['fields'] == {'service': 'registry'}


# --- No defaults: every key is required ---

@pytest.mark.parametrize('key', list(SCHEMA))
def test_a_missing_key_is_refused_naming_it(key):
    value = dict(BASE)
    del value[key]
    message = "missing setting(s) %s: every key is required (None or '' leaves an optional one unset)" % key
    assert message in registry_config_problems(value, 'registry_')
    with pytest.raises(AnsibleFilterError) as excinfo:
        config(value)
    assert message in str(excinfo.value)


def test_every_missing_key_is_named():
    problems = registry_config_problems({'dialect': '2'})
    assert problems == ["missing setting(s) %s: every key is required (None or '' leaves an optional one unset)"
                        % ', '.join(k for k in SCHEMA if k != 'dialect')]


@pytest.mark.parametrize('key', [k for k, (kind, _arg, optional) in SCHEMA.items() if not optional])
@pytest.mark.parametrize('unset', [None, ''])
def test_unset_is_refused_where_the_registry_needs_a_value(key, unset):
    problems = registry_config_problems(settings(**{key: unset}), 'registry_')
    assert len(problems) == 1 and problems[0].startswith('registry_%s must ' % key)


@pytest.mark.parametrize('key', [k for k, (kind, _arg, optional) in SCHEMA.items() if optional])
def test_unset_is_fine_where_the_registry_has_a_default(key):
    assert registry_config_problems(settings(**{key: None})) == []


def test_unknown_key():
    assert registry_config_problems(settings(s3_bucktet='x')) == [
        'unknown setting(s) s3_bucktet; allowed: %s' % ', '.join(SCHEMA)]


@pytest.mark.parametrize('value', [['dialect', '2'], None, 'dialect: 2'])
def test_settings_not_a_dict(value):
    problems = registry_config_problems(value)
    assert len(problems) == 1 and problems[0].startswith('the settings must be a dictionary; got ')


# --- Problems: the messages users of the role see (variable_prefix 'registry_') ---

PROBLEMS = [
    # (id, settings, the one expected message)
    ('s3-no-bucket', s3(s3_bucket=None), 'registry_storage is s3, so set registry_s3_bucket (the bucket name)'),
    ('s3-no-region', s3(s3_region=''),
     'registry_storage is s3, so set registry_s3_region (the region of the bucket, such as eu-west-1)'),
    ('s3-only-access-key', s3(s3_access_key='AKIAEXAMPLE'),
     "set registry_s3_access_key and registry_s3_secret_key together, or neither (to use the instance's IAM role); "
     'only registry_s3_access_key is set'),
    ('s3-only-secret-key', s3(s3_secret_key='secret'),
     "set registry_s3_access_key and registry_s3_secret_key together, or neither (to use the instance's IAM role); "
     'only registry_s3_secret_key is set'),
    ('s3-endpoint-not-a-url', s3(s3_endpoint='minio.example.com:9000'),
     'registry_s3_endpoint must be an http(s) URL without a path, such as https://minio.example.com:9000; '
     "got 'minio.example.com:9000' (empty means Amazon S3)"),
    ('s3-endpoint-with-path', s3(s3_endpoint='https://minio.example.com/team-registry'),
     'registry_s3_endpoint must be an http(s) URL without a path, such as https://minio.example.com:9000; '
     "got 'https://minio.example.com/team-registry' (empty means Amazon S3)"),
    ('s3-keyid-without-encrypt', s3(s3_keyid='key', s3_encrypt=False),
     'registry_s3_keyid (a KMS key) needs registry_s3_encrypt: true; the registry ignores it otherwise'),
    ('s3-keyid-encrypt-unset', s3(s3_keyid='key', s3_encrypt=''),
     'registry_s3_keyid (a KMS key) needs registry_s3_encrypt: true; the registry ignores it otherwise'),
    ('s3-forcepathstyle-v2', s3(s3_endpoint='http://minio:9000', s3_forcepathstyle=True),
     'registry_s3_forcepathstyle must be empty with distribution 2.8 (dialect 2), which has no such setting and uses '
     'path-style addressing whenever registry_s3_endpoint is set'),
    ('s3-chunksize-small', s3(s3_chunksize=1024),
     "registry_s3_chunksize must be 0 (the driver's default, 10 MiB) or from 5242880 (5 MiB) to 5368709120 (5 GiB); got 1024"),
    ('s3-chunksize-large', s3(s3_chunksize=6 * 1024 ** 3),
     "registry_s3_chunksize must be 0 (the driver's default, 10 MiB) or from 5242880 (5 MiB) to 5368709120 (5 GiB); "
     'got 6442450944'),
    ('s3-storageclass-v2', s3(s3_storageclass='STANDARD_IA'),
     "registry_s3_storageclass must be empty (the driver's default, STANDARD) or one of NONE, STANDARD, REDUCED_REDUNDANCY "
     "with dialect 2; got 'STANDARD_IA'"),
    ('s3-storageclass-v3', s3(dialect='3', s3_storageclass='GLACIER'),
     "registry_s3_storageclass must be empty (the driver's default, STANDARD) or one of NONE, STANDARD, REDUCED_REDUNDANCY, "
     "STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, OUTPOSTS, GLACIER_IR with dialect 3; got 'GLACIER'"),
    ('redis-without-addr', settings(cache='redis'), "registry_cache is redis: set registry_redis_addr (host:port); got ''"),
    ('redis-addr-without-port', settings(cache='redis', redis_addr='redis.example.com'),
     "registry_cache is redis: set registry_redis_addr (host:port); got 'redis.example.com'"),
    ('purge-age', settings(uploadpurging_age='7 days'),
     "registry_uploadpurging_age must be a duration such as 90s, 30m, 24h or 1h30m; got '7 days'"),
    ('purge-interval', settings(uploadpurging_interval=24),
     "registry_uploadpurging_interval must be a duration such as 90s, 30m, 24h or 1h30m; got '24'"),
    ('health-interval', settings(health_storagedriver_interval='10'),
     "registry_health_storagedriver_interval must be a duration such as 90s, 30m, 24h or 1h30m; got '10'"),
    ('s3-check-timeout', settings(health_s3_check_timeout='5 s'),
     "registry_health_s3_check_timeout must be a duration such as 90s, 30m, 24h or 1h30m; got '5 s'"),
    ('dialect-unknown', settings(dialect='2.8'), "registry_dialect must be one of 2, 3; got '2.8'"),
    ('storage-unknown', settings(storage='gcs'), "registry_storage must be one of filesystem, s3; got 'gcs'"),
    ('cache-unknown', settings(cache='memcached'), "registry_cache must be one of inmemory, redis, none; got 'memcached'"),
    ('log-level-unknown', settings(log_level='verbose'), "registry_log_level must be one of error, warn, info, debug; got 'verbose'"),
    ('log-formatter-unknown', settings(log_formatter='yaml'), "registry_log_formatter must be one of text, json, logstash; got 'yaml'"),
    ('bool', settings(readonly='sometimes'), "registry_readonly must be true or false; got 'sometimes'"),
    ('bool-empty', settings(delete_enabled=''), "registry_delete_enabled must be true or false; got ''"),
    ('bool-list', settings(uploadpurging_dryrun=[True]), "registry_uploadpurging_dryrun must be true or false; got '[True]'"),
    ('optional-bool', s3(s3_forcepathstyle='auto'), "registry_s3_forcepathstyle must be true, false or empty; got 'auto'"),
    ('int', settings(redis_db='one'), "registry_redis_db must be an integer of at least 0; got 'one'"),
    ('int-bool', settings(s3_chunksize=True), "registry_s3_chunksize must be an integer of at least 0; got 'True'"),
    ('int-minimum', settings(health_storagedriver_threshold=0),
     "registry_health_storagedriver_threshold must be an integer of at least 1; got '0'"),
    ('string-type', settings(s3_bucket=['a']), 'registry_s3_bucket must be a string; got a list'),
    ('string-empty', settings(domain=''), 'registry_domain must be set; it is empty'),
    ('headers-type', settings(http_headers=['X-A: b']),
     'registry_http_headers must map header names to non-empty strings or lists of them'),
    ('headers-empty-list', settings(http_headers={'X-A': []}),
     'registry_http_headers must map header names to non-empty strings or lists of them'),
    ('log-fields-empty-value', settings(log_fields={'service': ''}),
     'registry_log_fields must map field names to non-empty strings, numbers or booleans'),
]


@pytest.mark.parametrize('value, message', [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS])
def test_problem_messages(value, message):
    assert registry_config_problems(value, 'registry_') == [message]
    # registry_config refuses the same settings with the same message (without the prefix).
    with pytest.raises(AnsibleFilterError) as excinfo:
        config(value)
    assert str(excinfo.value) == 'registry_config: %s' % '; '.join(registry_config_problems(value))


def test_every_problem_at_once():
    value = s3(s3_region='', s3_access_key='AKIAEXAMPLE', s3_endpoint='minio:9000', cache='redis',
               uploadpurging_age='1 week', log_level='loud', readonly='maybe')
    problems = registry_config_problems(value, 'registry_')
    assert len(problems) == 7, problems
    with pytest.raises(AnsibleFilterError) as excinfo:
        config(value)
    assert str(excinfo.value) == 'registry_config: %s' % '; '.join(registry_config_problems(value))
    assert str(excinfo.value).count('; ') >= 6


def test_default_prefix_is_empty():
    assert registry_config_problems(s3(s3_bucket='')) == ['storage is s3, so set s3_bucket (the bucket name)']


def test_rules_of_unselected_drivers_do_not_apply():
    assert registry_config_problems(settings(s3_endpoint='minio:9000', s3_access_key='AKIA', redis_addr='redis')) == []


def test_a_key_with_a_problem_of_its_own_is_not_reported_twice():
    assert registry_config_problems(settings(cache='redis', redis_addr=['r:6379']), 'registry_') == [
        'registry_redis_addr must be a string; got a list']


@pytest.mark.parametrize('key', ['s3_access_key', 's3_secret_key', 'redis_password'])
@pytest.mark.parametrize('secret', ['AKIA-SECRET-VALUE', ['AKIA-SECRET-VALUE'], {'k': 'AKIA-SECRET-VALUE'}])
def test_secrets_never_in_messages(key, secret):
    value = s3(cache='redis', redis_addr='bad', **{key: secret})
    problems = registry_config_problems(value, 'registry_')
    assert problems
    assert not any('AKIA-SECRET-VALUE' in problem for problem in problems)


# --- The runtime arguments of registry_config ---

@pytest.mark.parametrize('secret', [None, '', ['a']])
def test_http_secret_is_required(secret):
    with pytest.raises(AnsibleFilterError, match='^registry_config: http_secret is required: a random string'):
        registry_config(CASES['filesystem_v2'], http_secret=secret)


def test_http_secret_positional():
    assert registry_config(CASES['filesystem_v2'], SECRET)['http']['secret'] == SECRET


def test_s3_health_status_is_required_with_the_s3_check():
    with pytest.raises(AnsibleFilterError, match='^registry_config: s3_health_status is required with storage s3'):
        config(CASES['s3_health_http_v2'], status=None)


@pytest.mark.parametrize('status', [42, 'forbidden', True])
def test_s3_health_status_must_be_a_status_code(status):
    with pytest.raises(AnsibleFilterError, match=r'^registry_config: s3_health_status must be an HTTP status code \(100-599\)'):
        config(CASES['s3_health_http_v2'], status=status)


def test_s3_health_status_is_ignored_without_the_s3_check():
    assert 'http' not in config(CASES['s3_keys_v2'], status=None)['health']
    assert 'http' not in config(CASES['filesystem_v2'], status='not used')['health']


# --- registry_s3_health_uri ---

@pytest.mark.parametrize('changes, uri', [
    ({}, 'https://s3.eu-west-1.amazonaws.com/dockyard-registry'),
    ({'s3_endpoint': 'http://minio:9000'}, 'http://minio:9000/dockyard-registry'),
    ({'s3_endpoint': 'https://minio.example.com/'}, 'https://minio.example.com/dockyard-registry'),
    ({'health_s3_check_enabled': False}, ''),
    ({'storage': 'filesystem'}, ''),
])
def test_s3_health_uri(changes, uri):
    assert registry_s3_health_uri(s3(**dict({'health_s3_check_enabled': True}, **changes))) == uri


def test_s3_health_uri_refuses_bad_settings():
    with pytest.raises(AnsibleFilterError, match='^registry_s3_health_uri: storage is s3, so set s3_bucket'):
        registry_s3_health_uri(s3(s3_bucket='', health_s3_check_enabled=True))


# --- registry_dialect ---

@pytest.mark.parametrize('image, expected', [
    ('registry:2', '2'),
    ('registry:2.8.3', '2'),
    ('registry', '2'),
    ('registry:latest', '2'),
    ('registry:30', '2'),
    ('registry:3', '3'),
    ('registry:3.0.0', '3'),
    ('registry:3-alpine', '3'),
    ('docker.io/library/registry:3.1', '3'),
    ('localhost:5000/mirror/registry:3.0.0@sha256:0123', '3'),
    ('localhost:5000/registry', '2'),
    ('registry@sha256:0123', '2'),
    ('', '2'),
])
def test_dialect_auto(image, expected):
    assert registry_dialect(image) == expected
    assert registry_dialect(image, 'auto') == expected


@pytest.mark.parametrize('configured, expected', [('2', '2'), ('3', '3'), (2, '2'), (3, '3')])
def test_dialect_configured(configured, expected):
    assert registry_dialect('registry:3', configured) == expected


@pytest.mark.parametrize('configured', ['4', 'latest', None, True])
def test_dialect_configured_unknown(configured):
    with pytest.raises(AnsibleFilterError, match='^registry_dialect: the configured dialect must be auto, 2 or 3'):
        registry_dialect('registry:2', configured)


def test_dialect_image_not_a_string():
    with pytest.raises(AnsibleFilterError, match='^registry_dialect: the image must be a string'):
        registry_dialect(['registry:2'])


# --- registry_config_path ---

@pytest.mark.parametrize('value, expected', [
    ('2', '/etc/docker/registry/config.yml'),
    (2, '/etc/docker/registry/config.yml'),
    ('3', '/etc/distribution/config.yml'),
    (3, '/etc/distribution/config.yml'),
    ({'dialect': '3'}, '/etc/distribution/config.yml'),
])
def test_config_path(value, expected):
    assert registry_config_path(value) == expected


@pytest.mark.parametrize('value', ['4', None, True, {'storage': 's3'}])
def test_config_path_rejects_unknown_dialect(value):
    with pytest.raises(AnsibleFilterError, match="dialect must be one of '2', '3'"):
        registry_config_path(value)


def test_filter_module_exports_the_filters():
    assert FilterModule().filters() == {
        'registry_config': registry_config,
        'registry_config_problems': registry_config_problems,
        'registry_config_path': registry_config_path,
        'registry_dialect': registry_dialect,
        'registry_s3_health_uri': registry_s3_health_uri,
    }


# --- How the registry role feeds the filters (roles/registry/vars/main.yml) ---

# Keys the role fixes itself: the container's layout (vars/main.yml), and the dialect, from registry_image and
# registry_config_dialect through registry_dialect. Every other key is a user setting.
ROLE_OWN_KEYS = {
    'dialect': '{{ __registry_dialect }}',
    'filesystem_rootdirectory': '/var/lib/registry',
    'auth_htpasswd_path': '/auth/htpasswd',
    'domain': '{{ registry_domain }}',
    'http_addr': ':5000',
    'http_headers': {'X-Content-Type-Options': ['nosniff']},
    'debug_addr': ':{{ __registry_debug_port }}',
    'log_fields': {'service': 'registry'},
}


def _load(*path):
    with open(os.path.join(ROLE, *path)) as handle:
        return yaml.safe_load(handle)


def test_role_sets_exactly_the_filter_keys():
    assert list(_load('vars', 'main.yml')['__registry_settings']) == list(SCHEMA)


def test_role_layout_keys():
    role_settings = _load('vars', 'main.yml')['__registry_settings']
    assert {key: role_settings[key] for key in ROLE_OWN_KEYS} == ROLE_OWN_KEYS


@pytest.mark.parametrize('key', [k for k in SCHEMA if k not in ROLE_OWN_KEYS])
def test_user_keys_come_from_documented_role_variables(key):
    variable = 'registry_' + key
    assert _load('vars', 'main.yml')['__registry_settings'][key] == '{{ %s }}' % variable
    specs = _load('meta', 'argument_specs.yml')['argument_specs']
    defaults = _load('defaults', 'main.yml')
    assert variable in specs['main']['options'], 'documented in meta/argument_specs.yml'
    assert variable in defaults, 'defined in defaults/main.yml'
    assert specs['main']['options'][variable]['default'] == defaults[variable]
    assert specs['validate']['options'] == specs['main']['options']


def _role_settings(**variables):
    """__registry_settings rendered with the role's defaults (and VARIABLES), the way Ansible does."""
    context = dict(_load('defaults', 'main.yml'), registry_domain='registry.example.com', __registry_debug_port=5001)
    context.update(variables)
    context['__registry_dialect'] = registry_dialect(context['registry_image'], context['registry_config_dialect'])
    environment = NativeEnvironment()

    def render(value):
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        return environment.from_string(value).render(context) if isinstance(value, str) else value
    return render(_load('vars', 'main.yml')['__registry_settings'])


def test_role_defaults_are_valid():
    value = _role_settings()
    assert registry_config_problems(value, 'registry_') == []
    result = config(value)
    assert result['auth']['htpasswd']['realm'] == 'registry.example.com'
    assert result['http']['debug'] == {'addr': ':5001'}
    assert result['storage']['filesystem'] == {'rootdirectory': '/var/lib/registry'}


def test_role_defaults_on_s3_and_distribution_3():
    value = _role_settings(registry_storage='s3', registry_s3_bucket='b', registry_s3_region='eu-west-1', registry_image='registry:3')
    assert registry_config_problems(value, 'registry_') == []
    assert registry_s3_health_uri(value) == 'https://s3.eu-west-1.amazonaws.com/b'
    result = config(value)
    assert result['storage']['s3'] == {'region': 'eu-west-1', 'bucket': 'b', 'encrypt': False, 'secure': True}
    assert result['health']['http'][0]['statuscode'] == 403
