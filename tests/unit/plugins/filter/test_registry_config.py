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
from jinja2 import ChainableUndefined
from jinja2.nativetypes import NativeEnvironment, NativeTemplate

from ansible.errors import AnsibleFilterError
from ansible.plugins.filter.core import to_nice_yaml

from ansible_collections.dockyard.registry.plugins.filter.registry_config import (
    HEALTH_CHECK_SLACK_SECONDS,
    HEALTH_START_SECONDS,
    IMAGE_DIALECT_LABEL,
    IMAGE_LABEL,
    SCHEMA,
    FilterModule,
    registry_config,
    registry_config_path,
    registry_config_problems,
    registry_dialect,
    registry_health_check,
    registry_health_wait,
    registry_running_image,
    registry_runtime,
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
    's3_allow_http': False,
    's3_forcepathstyle': '',
    's3_access_key': '',
    's3_secret_key': '',
    's3_rootdirectory': '',
    's3_encrypt': None,
    's3_keyid': '',
    's3_chunksize': 0,
    's3_storageclass': '',
    'auth_htpasswd_path': '/auth/htpasswd',
    'domain': 'registry.example.com',
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
        debug_addr='127.0.0.1:5001',
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
    # Amazon S3 with keys and every S3 option a user of the role may set.
    's3_aws_keys_v3': s3(
        dialect='3',
        s3_access_key='AKIAEXAMPLEEXAMPLE',
        s3_secret_key='example/secret/key',
        s3_rootdirectory='/registry',
        s3_encrypt=True,
        s3_keyid='arn:aws:kms:eu-west-1:111122223333:key/example',
        s3_chunksize=10485760,
        s3_storageclass='INTELLIGENT_TIERING',
    ),
    's3_endpoint_v2': s3(
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_allow_http=True,
        s3_access_key='minio',
        s3_secret_key='minio-secret',
    ),
    # An S3-compatible store: path-style URLs.
    's3_endpoint_v3': s3(
        dialect='3',
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_allow_http=True,
        s3_access_key='minio',
        s3_secret_key='minio-secret',
    ),
    # The HTTP health check of the S3 endpoint, with the timeout the storage driver's check lacks.
    's3_health_http_v2': s3(
        s3_region='us-east-1',
        s3_endpoint='http://minio:9000',
        s3_allow_http=True,
        health_s3_check_enabled=True,
    ),
    # The debug server and the health checks, as the registry role sets them on S3.
    'debug_health_v3': s3(
        dialect='3',
        s3_endpoint='https://minio.example.com:9000',
        debug_addr='127.0.0.1:5001',
        health_storagedriver_interval='5s',
        health_storagedriver_threshold=2,
        health_s3_check_enabled=True,
        health_s3_check_timeout='3s',
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
    assert config(s3(s3_endpoint=endpoint, s3_allow_http=True))['storage']['s3']['secure'] is secure


def test_v4auth_is_never_written():
    for name in ('s3_keys_v2', 's3_endpoint_v2', 's3_endpoint_v3', 's3_instance_role_v3'):
        assert 'v4auth' not in config(CASES[name])['storage']['s3']


def test_chunksize_zero_and_storageclass_empty_are_left_out():
    s3_config = config(s3(s3_chunksize=0, s3_storageclass=''))['storage']['s3']
    assert 'chunksize' not in s3_config and 'storageclass' not in s3_config


def test_auth_is_always_htpasswd():
    assert config(CASES['options_v2'])['auth'] == {'htpasswd': {'realm': 'registry.example.com', 'path': '/auth/htpasswd'}}


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
    ('s3-forcepathstyle-v2', s3(s3_endpoint='https://minio:9000', s3_forcepathstyle=True),
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
    ({'s3_endpoint': 'http://minio:9000', 's3_allow_http': True}, 'http://minio:9000/dockyard-registry'),
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

# The tag of distribution's own images says the dialect; any other reference does not ('': ask the image).
@pytest.mark.parametrize('image, expected', [
    ('registry:2', '2'),
    ('registry:2.8', '2'),
    ('registry:2.8.3', '2'),
    ('registry:3', '3'),
    ('registry:3.1', '3'),
    ('registry:3.1.1', '3'),
    ('registry:3.0.0-rc.1', '3'),
    ('registry:3-alpine', '3'),
    ('docker.io/library/registry:3.1', '3'),
    ('localhost:5000/mirror/registry:2.8.3', '2'),
    ('dockyard/registry:2.8.2', '2'),
    ('ghcr.io/distribution/distribution:3.1.1', '3'),
    ('ghcr.io/distribution/distribution:v3.0.0', '3'),
    # What the tag does not say: no tag (latest), another tag, another major version, another image, a digest.
    ('registry', ''),
    ('registry:latest', ''),
    ('registry:edge', ''),
    ('registry:30', ''),
    ('registry:4.0.0', ''),
    ('localhost:5000/registry', ''),
    ('mycorp/registry-custom:3.1.1', ''),
    ('mycorp/harbor-registry:3', ''),
    ('registry@sha256:' + '0' * 64, ''),
    ('localhost:5000/mirror/registry:3.0.0@sha256:' + '0' * 64, ''),
    ('', ''),
])
def test_dialect_auto(image, expected):
    assert registry_dialect(image) == expected
    assert registry_dialect(image, 'auto') == expected
    assert registry_dialect(image, 'auto', None, '') == expected


@pytest.mark.parametrize('configured, expected', [('2', '2'), ('3', '3'), (2, '2'), (3, '3')])
def test_dialect_configured(configured, expected):
    assert registry_dialect('registry:3', configured) == expected
    # Whatever the image says or a label recorded.
    assert registry_dialect('mycorp/registry:prod', configured, labelled('mycorp/registry:prod', '2'),
                            'registry github.com/distribution/distribution/v3 v3.1.1') == expected


@pytest.mark.parametrize('configured', ['4', 'latest', None, True])
def test_dialect_configured_unknown(configured):
    with pytest.raises(AnsibleFilterError, match='^registry_dialect: the configured dialect must be auto, 2 or 3'):
        registry_dialect('registry:2', configured)


def test_dialect_image_not_a_string():
    with pytest.raises(AnsibleFilterError, match='^registry_dialect: the image must be a string'):
        registry_dialect(['registry:2'])


# `docker run --rm <image> --version`, as each kind of image prints it.
@pytest.mark.parametrize('output, expected', [
    ('registry github.com/docker/distribution v2.8.3\n', '2'),
    ('registry github.com/docker/distribution 2.8.2+ds1\n', '2'),  # Debian's docker-registry (the suite's 2.8 image)
    ('registry github.com/distribution/distribution/v3 v3.1.1\n', '3'),
    ('registry github.com/distribution/distribution/v3 v3.0.0\n', '3'),
    ('registry github.com/distribution/distribution/v3 v3.1.1-12-gabcdef0.m\n', '3'),
    ('registry github.com/distribution/distribution/v3 (devel)\n', '3'),
    # A leftover of an interrupted run: the same line twice.
    ('registry github.com/docker/distribution v2.8.3\nregistry github.com/docker/distribution v2.8.3\n', '2'),
    ('time="2026-11-30T10:00:00Z" level=warning msg="..."\nregistry github.com/distribution/distribution/v3 v3.1.1', '3'),
])
def test_dialect_from_the_images_version(output, expected):
    # The image's answer wins over a tag that says otherwise.
    assert registry_dialect('registry:2' if expected == '3' else 'registry:3', 'auto', None, output) == expected
    assert registry_dialect('mycorp/registry:prod', 'auto', labelled('mycorp/registry:prod', '2'), output) == expected


@pytest.mark.parametrize('output', [
    'registry github.com/distribution/distribution/v4 v4.0.0',
    'registry github.com/docker/distribution v1.0.0',
    'exec: "--version": executable file not found in $PATH',
    'Usage: nginx [-?hvVtTq]',
])
def test_dialect_from_a_version_that_is_no_registry_of_ours(output):
    with pytest.raises(AnsibleFilterError, match="^registry_dialect: the image's --version output names no distribution 2.x or 3.x"
                                                 ".*set registry_config_dialect to 2 or 3"):
        registry_dialect('mycorp/registry:prod', 'auto', None, output)


def test_dialect_version_not_a_string():
    with pytest.raises(AnsibleFilterError, match="^registry_dialect: version must be the image's --version output"):
        registry_dialect('mycorp/registry:prod', 'auto', None, ['registry github.com/docker/distribution v2.8.3'])


def labelled(image, dialect, registered=True):
    """docker_container_info's result for a container with the role's labels (or just its 'container')."""
    container = {'Id': 'abc', 'Image': 'sha256:' + '1' * 64,
                 'Config': {'Image': image, 'Labels': {IMAGE_LABEL: image, IMAGE_DIALECT_LABEL: dialect,
                                                       'dockyard.registry.config-sha256': '0' * 64}}}
    return {'changed': False, 'exists': True, 'container': container} if registered else container


@pytest.mark.parametrize('registered', [True, False])
def test_dialect_recorded_for_the_same_reference(registered):
    """A reference the tag says nothing about: the dialect the image gave when the container was made."""
    assert registry_dialect('mycorp/registry:prod', 'auto', labelled('mycorp/registry:prod', '3', registered)) == '3'
    assert registry_dialect('mycorp/registry:prod', 'auto', labelled('mycorp/registry:prod', '2', registered)) == '2'


@pytest.mark.parametrize('container', [
    labelled('mycorp/registry:old', '3'),              # another reference: ask the new image
    labelled('mycorp/registry:prod', ''),              # recorded as not known (a configured dialect was used)
    labelled('mycorp/registry:prod', 'auto'),
    {'changed': False, 'exists': False, 'container': None},
    {'changed': False, 'skipped': True},
    {'exists': True, 'container': {'Config': {'Labels': None}}},
    None,
])
def test_dialect_not_recorded(container):
    assert registry_dialect('mycorp/registry:prod', 'auto', container) == ''


def test_dialect_tag_wins_over_a_label():
    assert registry_dialect('registry:3.1.1', 'auto', labelled('registry:3.1.1', '2')) == '3'


@pytest.mark.parametrize('container, image', [
    (labelled('registry:3.1.1', '3'), 'registry:3.1.1'),
    (labelled('registry:3.1.1', '3', registered=False), 'registry:3.1.1'),
    ({'changed': False, 'exists': False, 'container': None}, ''),
    ({'exists': True, 'container': {'Config': {'Image': 'registry:2', 'Labels': {}}}}, ''),  # not made by the role
    ({'skipped': True}, ''),
    (None, ''),
    ('registry:2', ''),
])
def test_running_image(container, image):
    assert registry_running_image(container) == image


@pytest.mark.parametrize('dialect, runtime', [
    ('2', {'config_path': '/etc/docker/registry/config.yml', 'command': ['serve', '/etc/docker/registry/config.yml'], 'env': {}}),
    (2, {'config_path': '/etc/docker/registry/config.yml', 'command': ['serve', '/etc/docker/registry/config.yml'], 'env': {}}),
    ('3', {'config_path': '/etc/distribution/config.yml', 'command': ['serve', '/etc/distribution/config.yml'],
           'env': {'OTEL_TRACES_EXPORTER': 'none'}}),
])
def test_runtime(dialect, runtime):
    assert registry_runtime(dialect) == runtime


@pytest.mark.parametrize('dialect', ['', None, '4'])
def test_runtime_needs_a_dialect(dialect):
    with pytest.raises(AnsibleFilterError, match="dialect must be one of '2', '3'"):
        registry_runtime(dialect)


def test_runtime_results_are_not_shared():
    registry_runtime('3')['env']['X'] = 'y'
    assert registry_runtime('3')['env'] == {'OTEL_TRACES_EXPORTER': 'none'}


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
        'registry_running_image': registry_running_image,
        'registry_runtime': registry_runtime,
        'registry_health_wait': registry_health_wait,
        'registry_health_check': registry_health_check,
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
    'debug_addr': '127.0.0.1:{{ __registry_debug_port }}',
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
    assert result['http']['debug'] == {'addr': '127.0.0.1:5001'}
    assert result['http']['host'] == 'https://registry.example.com'
    assert result['storage']['filesystem'] == {'rootdirectory': '/var/lib/registry'}


def test_role_defaults_on_s3_and_distribution_3():
    value = _role_settings(registry_storage='s3', registry_s3_bucket='b', registry_s3_region='eu-west-1', registry_image='registry:3')
    assert registry_config_problems(value, 'registry_') == []
    assert registry_s3_health_uri(value) == 'https://s3.eu-west-1.amazonaws.com/b'
    result = config(value)
    assert result['storage']['s3'] == {'region': 'eu-west-1', 'bucket': 'b', 'encrypt': False, 'secure': True}
    assert result['health']['http'][0]['statuscode'] == 403


# --- The 3.x goldens, key by key against distribution's configuration reference ---
#
# docs/content/about/configuration.md and docs/content/storage-drivers/s3.md in distribution/distribution at v3.1.1
# (`git show v3.1.1:docs/content/about/configuration.md`). Every key a 3.x golden writes, with the type the reference
# gives it (its "List of configuration options" sample, or its table) and the reference's own words about it. With
# DOCKYARD_DISTRIBUTION_DOCS set to a checkout's docs/content directory (at v3.1.1), the test also checks that each
# quote is in those files and that each key is in the reference's sample configuration.
REFERENCE_V3 = {
    'version': (str, 'The `version` option is **required**.'),
    'log.level': (str, 'Permitted values are `error`, `warn`, `info`, and `debug`.'),
    'log.formatter': (str, 'Options are `text`, `json`, and `logstash`.'),
    'log.fields': (dict, 'A map of field names to values.'),
    'log.fields.service': (str, 'service: registry'),
    'storage.filesystem.rootdirectory': (str, 'rootdirectory: /var/lib/registry'),
    'storage.s3.accesskey': (str, '| `accesskey` | no     | Your AWS Access Key. If you use [IAM roles]'),
    'storage.s3.secretkey': (str, '| `secretkey`  | no   | Your AWS Secret Key.'),
    'storage.s3.region': (str, '| `region` |  yes  | The AWS region in which your bucket exists. |'),
    'storage.s3.regionendpoint': (str, '| `regionendpoint` | no | Endpoint for S3 compatible storage services (Minio, etc). |'),
    'storage.s3.forcepathstyle': (bool, '| `forcepathstyle` | no | To enable path-style addressing when the value is set to `true`. '
                                        'The default is `false`. |'),
    'storage.s3.bucket': (str, "| `bucket`  | yes | The bucket name in which you want to store the registry's data. |"),
    'storage.s3.encrypt': (bool, 'A boolean value. The default is `false`.'),
    'storage.s3.keyid': (str, '| `keyid`  | no | Optional KMS key ID to use for encryption (encrypt must be true, or this parameter '
                              'is ignored).'),
    'storage.s3.secure': (bool, '| `secure`  | no | Indicates whether to use HTTPS instead of HTTP. A boolean value. The default '
                                'is `true`. |'),
    'storage.s3.chunksize': (int, 'The S3 API requires multipart upload chunks to be at least 5MB.'),
    'storage.s3.rootdirectory': (str, 'This is a prefix that is applied to all S3 keys'),
    'storage.s3.storageclass': (str, '| `storageclass`  | no | The S3 storage class applied to each registry file. The default is '
                                     '`STANDARD`. |'),
    'storage.delete.enabled': (bool, 'Use the `delete` structure to enable the deletion of image blobs and manifests'),
    'storage.redirect.disable': (bool, 'To disable redirects, add a single flag `disable`, set to `true`'),
    'storage.cache.blobdescriptor': (str, 'You can set `blobdescriptor` field to `redis` or `inmemory`.'),
    'storage.maintenance.uploadpurging.enabled': (bool, '| `enabled`  | yes      | Set to `true` to enable upload purging.'),
    'storage.maintenance.uploadpurging.age': (str, '| `age`      | yes      | Upload directories which are older than this age '
                                                   'will be deleted.'),
    'storage.maintenance.uploadpurging.interval': (str, '| `interval` | yes      | The interval between upload directory purging.'),
    'storage.maintenance.uploadpurging.dryrun': (bool, '| `dryrun`   | yes      | Set `dryrun` to `true` to obtain a summary'),
    'storage.maintenance.readonly.enabled': (bool, 'If the `readonly` section under `maintenance` has `enabled` set to `true`'),
    'auth.htpasswd.realm': (str, '| `realm`   | yes      | The realm in which the registry server authenticates. |'),
    'auth.htpasswd.path': (str, '| `path`    | yes      | The path to the `htpasswd` file to load at startup.   |'),
    'http.addr': (str, '| `addr`    | no       | The address for which the server should accept connections.'),
    'http.host': (str, '| `host`    | no       | A fully-qualified URL for an externally-reachable address for the registry. '
                       'If present, it is used when creating generated URLs.'),
    'http.secret': (str, '| `secret`  | no       | A random piece of data used to sign state'),
    'http.debug.addr': (str, 'The `debug` section takes a single required `addr` parameter'),
    'http.headers': (dict, 'The `headers` option should contain an option for each header to include'),
    'http.headers.X-Content-Type-Options': (list, 'X-Content-Type-Options: [nosniff]'),
    'redis.addrs': (list, 'addrs: [localhost:6379]'),
    'redis.password': (str, 'password: asecret'),
    'redis.db': (int, 'db: 0'),
    'health.storagedriver.enabled': (bool, '| `enabled` | yes      | Set to `true` to enable storage driver health checks or '
                                           '`false` to disable them. |'),
    'health.storagedriver.interval': (str, 'How long to wait between repetitions of the storage driver health check.'),
    'health.storagedriver.threshold': (int, 'A positive integer which represents the number of times the check must fail '
                                            'before the state is marked as unhealthy.'),
    'health.http': (list, 'The `http` structure includes a list of HTTP URIs to periodically check with'),
    'health.http[].uri': (str, '| `uri`     | yes      | The URI to check.                                     |'),
    'health.http[].statuscode': (int, '| `statuscode` | no    | The expected status code from the HTTP URI. Defaults to `200`. |'),
    'health.http[].timeout': (str, '| `timeout` | no       | How long to wait before timing out the HTTP request.'),
    'health.http[].interval': (str, '| `interval`| no       | How long to wait before repeating the check.'),
    'health.http[].threshold': (int, '| `threshold`| no      | The number of times the check must fail before the state is '
                                     'marked as unhealthy.'),
}
# Keys whose values are containers: their children are checked one by one (a list of dicts as '<key>[].<child>').
_CONTAINERS = ('log', 'log.fields', 'storage', 'storage.filesystem', 'storage.s3', 'storage.delete', 'storage.redirect',
               'storage.cache', 'storage.maintenance', 'storage.maintenance.uploadpurging', 'storage.maintenance.readonly',
               'auth', 'auth.htpasswd', 'http', 'http.debug', 'http.headers', 'redis', 'health', 'health.storagedriver',
               'health.http')
V3_CASES = sorted(name for name in CASES if name.endswith('_v3'))


def _leaves(data, path=''):
    """(dotted key, value) of every key of a nested config, containers included; list items of dicts as key[]."""
    for key, value in data.items():
        dotted = '%s.%s' % (path, key) if path else key
        yield dotted, value
        if isinstance(value, dict) and dotted in _CONTAINERS and dotted != 'http.headers':
            yield from _leaves(value, dotted)
        elif dotted == 'http.headers':
            for name, values in value.items():
                yield '%s.%s' % (dotted, name), values
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for element in value:
                yield from _leaves(element, dotted + '[]')


def test_the_3x_goldens_cover_what_the_issue_lists():
    """Filesystem, Amazon S3, an S3-compatible store, Redis and the debug server, each in a 3.x golden."""
    keys = set(key for name in V3_CASES for key, _value in _leaves(config(CASES[name])))
    for key in ('storage.filesystem.rootdirectory', 'storage.s3.region', 'storage.s3.accesskey', 'storage.s3.regionendpoint',
                'storage.s3.forcepathstyle', 'redis.addrs', 'http.debug.addr', 'http.host', 'health.http[].uri'):
        assert key in keys, key


@pytest.mark.parametrize('name', V3_CASES)
def test_3x_golden_keys_are_the_references(name):
    for key, value in _leaves(config(CASES[name])):
        if key in _CONTAINERS and key not in REFERENCE_V3:
            assert isinstance(value, dict), key
            continue
        assert key in REFERENCE_V3, '%s: %s is not a key of the 3.x configuration reference' % (name, key)
        expected = REFERENCE_V3[key][0]
        # bool is an int in Python: a boolean where an int belongs (or the reverse) is wrong too.
        assert isinstance(value, expected) and (expected is bool) == isinstance(value, bool), (name, key, value)


@pytest.mark.parametrize('name', V3_CASES)
def test_3x_golden_booleans_are_yaml_booleans(name):
    """As the role writes them (to_nice_yaml): `enabled: true`, never `enabled: "true"` (3.x reads a string as false)."""
    written = yaml.safe_load(to_nice_yaml(config(CASES[name]), indent=2, sort_keys=False))
    for key, value in _leaves(written):
        if REFERENCE_V3.get(key, (None,))[0] is bool:
            assert isinstance(value, bool), (name, key, value)


def test_3x_redis_has_no_keys_3x_removed():
    """3.x embeds go-redis UniversalOptions: addrs (a list), no addr, no pool section."""
    redis = config(CASES['redis_v3'])['redis']
    assert 'addr' not in redis and 'pool' not in redis and redis['addrs'] == ['redis:6379']


DOCS = os.environ.get('DOCKYARD_DISTRIBUTION_DOCS')


@pytest.mark.skipif(not DOCS, reason='DOCKYARD_DISTRIBUTION_DOCS (distribution v3.1.1 docs/content) not set')
def test_reference_quotes_and_keys_are_in_the_reference():
    with open(os.path.join(DOCS, 'about', 'configuration.md')) as handle:
        configuration = handle.read()
    with open(os.path.join(DOCS, 'storage-drivers', 's3.md')) as handle:
        s3_driver = handle.read()
    for key, (_type, quote) in REFERENCE_V3.items():
        source = s3_driver if key.startswith('storage.s3.') else configuration
        assert quote in source, '%s: %r is not in the reference' % (key, quote)
    # The reference's "List of configuration options": every key of REFERENCE_V3 is in its sample (the S3 driver's
    # keys: in the driver's table of parameters).
    section = configuration.split('## List of configuration options', 1)[1]
    sample = yaml.safe_load(section.split('```yaml', 1)[1].split('```', 1)[0])
    for key in REFERENCE_V3:
        if key.startswith('storage.s3.'):
            assert '| `%s`' % key.rpartition('.')[2] in s3_driver, '%s is not in the S3 driver reference' % key
            continue
        node = sample
        for part in key.split('.'):
            if part.endswith('[]'):
                node = node[part[:-2]][0]
            else:
                assert isinstance(node, dict) and part in node, '%s is not in the reference sample' % key
                node = node[part]


# --- Hardening and 3.x behaviour of the configuration ---

@pytest.mark.parametrize('domain, host', [
    ('registry.example.com', 'https://registry.example.com'),
    ('localhost', 'https://localhost'),
    ('10.0.0.5', 'https://10.0.0.5'),
    ('::1', 'https://[::1]'),
    ('2001:db8::5', 'https://[2001:db8::5]'),
])
def test_http_host_is_the_public_url(domain, host):
    """Location URLs come from http.host, never from the client's Host or Forwarded header."""
    for dialect in ('2', '3'):
        assert config(settings(dialect=dialect, domain=domain))['http']['host'] == host


@pytest.mark.parametrize('debug_addr', ['127.0.0.1:5001', '127.0.0.2:6001', '[::1]:5001', None, ''])
def test_debug_addr_on_loopback(debug_addr):
    assert registry_config_problems(settings(debug_addr=debug_addr)) == []


@pytest.mark.parametrize('debug_addr', [':5001', '0.0.0.0:5001', '172.17.0.2:5001', '[::]:5001', 'localhost:5001', '127.0.0.1',
                                        '127.0.0.1:0'])
def test_debug_addr_elsewhere_is_refused(debug_addr):
    assert registry_config_problems(settings(debug_addr=debug_addr), 'registry_') == [
        "registry_debug_addr must be a loopback address and port such as 127.0.0.1:5001 (the debug server has no "
        "authentication and serves /debug/pprof and /debug/vars), or empty for none; got '%s'" % debug_addr]


HTTP_ENDPOINT_MSG = ("registry_s3_endpoint 'http://minio:9000' is plain HTTP: the registry's S3 requests and the pre-signed "
                     "URLs it sends clients for layers would cross the network unencrypted; use an https:// endpoint, or set "
                     "registry_s3_allow_http: true to accept that")


@pytest.mark.parametrize('dialect', ['2', '3', None])
def test_http_endpoint_needs_the_opt_in(dialect):
    assert registry_config_problems(s3(dialect=dialect, s3_endpoint='http://minio:9000'), 'registry_') == [HTTP_ENDPOINT_MSG]
    assert registry_config_problems(s3(dialect=dialect, s3_endpoint='http://minio:9000', s3_allow_http=True)) == []
    assert registry_config_problems(s3(dialect=dialect, s3_endpoint='http://minio:9000', s3_allow_http='yes')) == []
    with pytest.raises(AnsibleFilterError, match='^registry_config: s3_endpoint .* is plain HTTP'):
        config(s3(dialect='3', s3_endpoint='http://minio:9000'))


@pytest.mark.parametrize('changes', [
    {'s3_endpoint': 'https://minio:9000'},
    {'s3_endpoint': ''},
    {'storage': 'filesystem', 's3_endpoint': 'http://minio:9000'},   # S3 not used
])
def test_no_opt_in_needed(changes):
    assert registry_config_problems(s3(**changes)) == []


def test_allow_http_must_be_a_boolean():
    assert registry_config_problems(s3(s3_endpoint='http://minio:9000', s3_allow_http='perhaps'), 'registry_') == [
        "registry_s3_allow_http must be true or false; got 'perhaps'"]


@pytest.mark.parametrize('endpoint, forcepathstyle', [
    ('https://minio.example.com:9000', True),
    ('https://ceph.example.com', True),
    ('https://storage.googleapis.com', True),
    ('https://s3.amazonaws.com.example.com', True),      # not Amazon's
    ('https://amazonaws.com.evil.example', True),
    ('https://s3.eu-west-1.amazonaws.com', None),         # Amazon S3: the driver's default, virtual-hosted style
    ('https://s3.dualstack.eu-west-1.amazonaws.com', None),
    ('https://s3-fips.us-east-1.amazonaws.com/', None),
    ('https://s3.cn-north-1.amazonaws.com.cn', None),
    ('https://S3.EU-WEST-1.AMAZONAWS.COM:443', None),
])
def test_v3_forcepathstyle_for_every_store_but_amazon(endpoint, forcepathstyle):
    assert config(s3(dialect='3', s3_endpoint=endpoint))['storage']['s3'].get('forcepathstyle') is forcepathstyle
    # Set, it is kept.
    assert config(s3(dialect='3', s3_endpoint=endpoint, s3_forcepathstyle=True))['storage']['s3']['forcepathstyle'] is True
    assert config(s3(dialect='3', s3_endpoint=endpoint, s3_forcepathstyle='false'))['storage']['s3']['forcepathstyle'] is False


@pytest.mark.parametrize('unknown', [None, ''])
def test_an_unknown_dialect_is_checked_without_the_dialect_rules(unknown):
    """Before the image was asked (a tag that does not say): every other rule applies."""
    assert registry_config_problems(s3(dialect=unknown, s3_endpoint='https://minio:9000', s3_forcepathstyle=True,
                                       s3_storageclass='GLACIER_IR')) == []
    assert registry_config_problems(s3(dialect=unknown, s3_bucket=''), 'registry_') == [
        'registry_storage is s3, so set registry_s3_bucket (the bucket name)']


def test_an_unknown_dialect_builds_no_configuration():
    with pytest.raises(AnsibleFilterError, match="^registry_config: dialect must be 2 or 3 to build the configuration; it is "
                                                 "not known yet"):
        config(settings(dialect=''))


# --- Watching the registry's health after its container (re)starts ---

def faults_like(**changes):
    """The faults scenario's health settings: a check every 5 s, unhealthy after 2 failures."""
    return s3(**dict({'health_storagedriver_interval': '5s', 'health_storagedriver_threshold': 2,
                      'health_s3_check_enabled': True}, **changes))


@pytest.mark.parametrize('value, delay, seconds, retries', [
    # (threshold + 1) x interval + slack; retries cover that and the start allowance at DELAY.
    (s3(health_s3_check_enabled=True), 2, 50, 41),
    (s3(), 2, 50, 41),                                               # the storage check alone
    (s3(health_storagedriver_enabled=False, health_s3_check_enabled=True), 2, 50, 41),  # the S3 HTTP check alone
    (faults_like(), 2, 25, 29),
    (faults_like(), 5, 25, 12),
    (s3(health_storagedriver_interval='1m', health_storagedriver_threshold=1), 2, 130, 81),
    (s3(health_storagedriver_interval='1500ms'), '3', 16, 17),
    (s3(health_storagedriver_enabled=False), 2, 0, 16),              # no storage check to wait for
    (settings(), 2, 0, 16),                                          # filesystem: a directory of the host
])
def test_health_wait(value, delay, seconds, retries):
    assert registry_health_wait(value, delay) == {'seconds': seconds, 'retries': retries}
    assert seconds in (0, int(__import__('math').ceil(
        (value['health_storagedriver_threshold'] + 1) * {'10s': 10, '5s': 5, '1m': 60, '1500ms': 1.5}[
            value['health_storagedriver_interval']])) + HEALTH_CHECK_SLACK_SECONDS)
    assert (retries - 1) * int(delay) >= seconds + HEALTH_START_SECONDS


@pytest.mark.parametrize('delay', [0, -2, 'two', None])
def test_health_wait_delay(delay):
    with pytest.raises(AnsibleFilterError, match='^registry_health_wait: delay must be a whole number of seconds of at least 1'):
        registry_health_wait(s3(), delay)


def test_health_wait_refuses_bad_settings():
    with pytest.raises(AnsibleFilterError, match='^registry_health_wait: storage is s3, so set s3_bucket'):
        registry_health_wait(s3(s3_bucket=''))


def exec_result(rc=0, stderr='', attempts=1, **extra):
    """A registered docker_container_exec of wget inside the container, retried `attempts` times."""
    result = {'changed': False, 'rc': rc, 'stdout': '', 'stderr': stderr, 'attempts': attempts}
    result.update(extra)
    return result


WGET_503 = 'wget: server returned error: HTTP/1.1 503 Service Unavailable'
WGET_REFUSED = "wget: can't connect to remote host (127.0.0.1): Connection refused"
NOT_RUNNING = {'failed': True, 'msg': 'An unexpected Docker error occurred: 409 Client Error: Conflict (Container abc is not running)'}


@pytest.mark.parametrize('result, done', [
    (exec_result(0, attempts=1), False),          # healthy so far: the checks have not all run yet
    (exec_result(0, attempts=12), False),         # 24 s < 25 s
    (exec_result(0, attempts=13), True),          # 26 s: every check had its chance
    (exec_result(1, WGET_503, attempts=1), True),  # a 503 ends it at once
    (exec_result(1, WGET_REFUSED, attempts=1), False),   # not listening yet
    (exec_result(1, WGET_REFUSED, attempts=27), False),  # 54 s < 25 + 30
    (exec_result(1, WGET_REFUSED, attempts=28), True),
    (dict(NOT_RUNNING, attempts=3), False),
    (dict(NOT_RUNNING, attempts=28), True),
    ({'changed': False, 'skipped': True}, True),
    (None, True),
])
def test_health_check_done(result, done):
    assert registry_health_check(result, faults_like(), 'registry', 2)['done'] is done


@pytest.mark.parametrize('result', [exec_result(0, attempts=13), exec_result(0, attempts=2), {'skipped': True}])
def test_health_check_fine(result):
    assert registry_health_check(result, faults_like(), 'registry', 2)['problem'] == ''


def test_health_check_filesystem_needs_one_answer():
    assert registry_health_check(exec_result(0), settings(), 'registry', 2) == {'done': True, 'problem': ''}


IAM_CAUSE = ("With no registry_s3_access_key the registry takes the credentials of the instance's IAM role, which the "
             "container fetches from the instance metadata service (IMDS) through Docker's bridge, one network hop further "
             "than the host. On EC2 with IMDSv2 the default hop limit of 1 gives the host its credentials and the container "
             "none: allow 2 hops with `aws ec2 modify-instance-metadata-options --instance-id <the instance's id> "
             "--http-put-response-hop-limit 2 --http-endpoint enabled`")
UNTOUCHED = ('The registry says which storage call failed in its log: docker logs registry-x. Nothing else was changed and '
             'the stored images are untouched')


def test_health_problem_iam_role():
    """No keys: the IAM role's credentials, which a container behind the bridge may not get (issue 12, item 6)."""
    problem = registry_health_check(exec_result(1, WGET_503, attempts=9), faults_like(), 'registry-x', 2)['problem']
    assert problem.startswith("The registry's storage health check fails: /debug/health answered 503 18 s after the container "
                              "'registry-x' started: the registry cannot use the S3 bucket 'dockyard-registry' at Amazon S3 "
                              "(eu-west-1), although the host could (the role's pre-flight check passed on the host). ")
    assert IAM_CAUSE in problem and UNTOUCHED in problem
    assert 'registry_etc_hosts' not in problem


def test_health_problem_keys():
    value = faults_like(s3_endpoint='http://s3:5000', s3_allow_http=True, s3_access_key='AKIA-SECRET-ID',
                        s3_secret_key='SECRET-KEY-VALUE')
    problem = registry_health_check(exec_result(1, WGET_503, attempts=2), value, 'registry-x', 2)['problem']
    assert "the registry cannot use the S3 bucket 'dockyard-registry' at http://s3:5000 with its keys, although the host could" in problem
    assert 'registry_etc_hosts' in problem and UNTOUCHED in problem
    assert 'hop-limit' not in problem
    assert 'AKIA-SECRET-ID' not in problem and 'SECRET-KEY-VALUE' not in problem


def test_health_problem_filesystem():
    problem = registry_health_check(exec_result(1, WGET_503), settings(), 'registry', 2)['problem']
    assert 'it cannot use its storage (/var/lib/registry in the container, registry_data_dir on the host)' in problem


@pytest.mark.parametrize('result, detail', [
    (exec_result(1, WGET_REFUSED, attempts=28), WGET_REFUSED),
    (dict(NOT_RUNNING, attempts=28), NOT_RUNNING['msg']),
    (exec_result(127, '', attempts=28), 'rc 127'),
])
def test_health_problem_not_answering(result, detail):
    problem = registry_health_check(result, faults_like(), 'registry', 2)['problem']
    assert problem == ("The registry in the container 'registry' does not answer on its debug server (/debug/health, inside "
                       "the container) 56 s after the container started: %s. It may have stopped or keep restarting; its log "
                       "says why: docker logs registry. Nothing else was changed and the stored images are untouched." % detail)


def test_health_check_refuses_bad_settings_and_delay():
    with pytest.raises(AnsibleFilterError, match='^registry_health_check: storage is s3, so set s3_bucket'):
        registry_health_check(exec_result(0), s3(s3_bucket=''))
    with pytest.raises(AnsibleFilterError, match='^registry_health_check: delay must be a whole number'):
        registry_health_check(exec_result(0), s3(), 'registry', 0)


# --- How the registry role uses the image filters (vars/main.yml, tasks/image.yml, tasks/container.yml) ---

def _task(file_name, name):
    tasks = [task for task in _load('tasks', file_name) if task.get('name') == name]
    assert len(tasks) == 1, (file_name, name)
    return tasks[0]


def _ansible_concat(values):
    values = list(values)
    if len(values) == 1:
        return values[0]
    return ''.join(str(value) for value in values)


class _AnsibleLikeEnvironment(NativeEnvironment):
    concat = staticmethod(_ansible_concat)


class _AnsibleLikeTemplate(NativeTemplate):
    environment_class = _AnsibleLikeEnvironment


_AnsibleLikeEnvironment.template_class = _AnsibleLikeTemplate


def _render_role_var(name, **context):
    """A variable of vars/main.yml rendered by Jinja with the collection's filters (undefined: as before any task ran)."""
    # Ansible's undefined values chain (`a.b.c | default(...)`), as jinja2's ChainableUndefined does, and ansible-core
    # 2.19 keeps a template's one value as it is (a string stays a string; jinja2's native concat would parse it).
    environment = _AnsibleLikeEnvironment(undefined=ChainableUndefined)
    environment.filters.update(('dockyard.registry.' + k, f) for k, f in FilterModule().filters().items())
    variables = _load('vars', 'main.yml')
    values = dict(_load('defaults', 'main.yml'), registry_domain='registry.example.com')
    values.update(context)

    def render(expression):
        # Role variables refer to each other: render those the expression names, as Ansible does lazily.
        for other in sorted(variables, key=len, reverse=True):
            if other != name and other.startswith('__registry_') and other in expression and other not in values \
                    and isinstance(variables[other], str):
                values[other] = render(variables[other])
        return environment.from_string(expression.strip()).render(values)
    return render(variables[name])


def test_role_default_image_is_an_exact_3x_release():
    image = _load('defaults', 'main.yml')['registry_image']
    assert __import__('re').match(r'registry:3\.[0-9]+\.[0-9]+\Z', image), image
    assert _load('meta', 'argument_specs.yml')['argument_specs']['main']['options']['registry_image']['default'] == image
    assert registry_dialect(image) == '3'
    assert _render_role_var('__registry_dialect') == '3'
    assert _render_role_var('__registry_runtime')['env'] == {'OTEL_TRACES_EXPORTER': 'none'}


@pytest.mark.parametrize('context, running, changed, image_dialect, dialect', [
    # The validate entry point, or a host without the container: nothing registered.
    ({'registry_image': 'registry:3.1.1'}, '', True, '3', '3'),
    ({'registry_image': 'mycorp/registry:prod'}, '', True, '', ''),
    # The same reference as the running container: its recorded dialect, nothing to pull or ask.
    ({'registry_image': 'mycorp/registry:prod', '__registry_container_info': labelled('mycorp/registry:prod', '2')},
     'mycorp/registry:prod', False, '2', '2'),
    # A new reference: pulled, and asked (the skipped ask registers no output).
    ({'registry_image': 'mycorp/registry:next', '__registry_container_info': labelled('mycorp/registry:prod', '2'),
      '__registry_version': {'changed': False, 'skipped': True}}, 'mycorp/registry:prod', True, '', ''),
    ({'registry_image': 'mycorp/registry:next', '__registry_container_info': labelled('mycorp/registry:prod', '2'),
      '__registry_version': {'changed': True, 'container': {'Output': 'registry github.com/distribution/distribution/v3 v3.1.1\n'}}},
     'mycorp/registry:prod', True, '3', '3'),
    # registry_config_dialect wins for the configuration; the label keeps what the image itself is known to be.
    ({'registry_image': 'mycorp/registry:prod', 'registry_config_dialect': '3'}, '', True, '', '3'),
])
def test_role_image_variables(context, running, changed, image_dialect, dialect):
    assert _render_role_var('__registry_running_image', **context) == running
    assert _render_role_var('__registry_image_changed', **context) is changed
    assert _render_role_var('__registry_image_dialect', **context) == image_dialect
    assert _render_role_var('__registry_dialect', **context) == dialect


def test_role_new_reference_is_pulled_or_loaded_even_when_present():
    """force_source: a reference new to the container is fetched again, whatever the host has under that name."""
    load = _task('image.yml', 'Load the registry image from the archive (a new reference or a new archive)')
    pull = _task('image.yml', 'Pull the registry image (a new reference)')
    assert load['community.docker.docker_image']['force_source'] is True
    assert load['when'] == ('registry_image_archive | length > 0 and (__registry_image_changed | bool or '
                            '__registry_archive_copy is changed)')
    assert pull['community.docker.docker_image']['force_source'] is True
    assert pull['when'] == 'registry_image_archive | length == 0 and __registry_image_changed | bool'


def test_role_asks_the_image_only_when_the_dialect_is_not_known():
    ask = _task('image.yml', 'Ask the registry image its version (its tag does not say which configuration it reads)')
    assert ask['when'] == '__registry_dialect | length == 0'
    assert ask['register'] == '__registry_version'
    assert ask['community.docker.docker_container']['command'] == ['--version']
    assert ask['community.docker.docker_container']['network_mode'] == 'none'
    check = _task('image.yml', "Check the settings against the image's dialect")
    assert check['when'] == '__registry_version is not skipped'
    # Before any file is written: image.yml comes before files.yml.
    imports = [task.get('ansible.builtin.import_tasks') for task in _load('tasks', 'main.yml')]
    assert imports.index('image.yml') < imports.index('files.yml') < imports.index('container.yml')


def test_role_container_runs_what_the_filters_say():
    task = _task('container.yml', 'Run the registry container')
    container = task['community.docker.docker_container']
    assert container['command'] == '{{ __registry_runtime.command }}'
    assert container['env'] == '{{ __registry_runtime.env }}'
    assert container['labels'][IMAGE_LABEL] == '{{ registry_image }}'
    assert container['labels'][IMAGE_DIALECT_LABEL] == '{{ __registry_image_dialect }}'
    assert container['pids_limit'] == '{{ registry_pids_limit }}'
    assert container['memory'] == '{{ registry_memory_limit }}'
    assert container['healthcheck']['test'][-1] == 'http://127.0.0.1:{{ __registry_debug_port }}/debug/health'
    assert task['register'] == '__registry_container'


def test_role_watches_the_health_after_a_change():
    watch = _task('container.yml', "Watch the registry's own health from inside its container")
    assert watch['community.docker.docker_container_exec']['argv'][-1] == 'http://127.0.0.1:{{ __registry_debug_port }}/debug/health'
    assert watch['until'] == ('(__registry_health | dockyard.registry.registry_health_check(__registry_settings, '
                              'registry_container_name, __registry_health_delay)).done')
    assert watch['retries'] == '{{ __registry_health_wait.retries }}'
    assert watch['delay'] == '{{ __registry_health_delay }}'
    # A deploy watches; a maintenance restart (tasks/gc.yml) only waits for the first answer (the task below).
    assert watch['when'] == ("not __registry_maintenance_restart | default(false) and (__registry_container is changed or "
                             "__registry_container.container.State.Health.Status | default('') != 'healthy')")
    wait = _task('container.yml', 'Wait for the registry to answer after a maintenance restart')
    assert wait['community.docker.docker_container_exec']['argv'] == watch['community.docker.docker_container_exec']['argv']
    assert wait['until'] == '__registry_answer.rc == 0'
    assert wait['when'] == '__registry_maintenance_restart | default(false) and __registry_container is changed'
    modes = [task for task in _load('tasks', 'gc.yml') for task in task.get('block', []) + task.get('always', [])
             if task.get('ansible.builtin.include_tasks') == 'registry_mode.yml']
    assert [task['vars'] for task in modes] == [{'registry_readonly': True, '__registry_maintenance_restart': True},
                                                {'__registry_maintenance_restart': True}]
    stop = _task('container.yml', 'Stop when the registry cannot use its storage')
    assert stop['when'] == '__registry_health is not skipped'
    assert 'registry_health_check(' in stop['vars']['__registry_health_problem']
