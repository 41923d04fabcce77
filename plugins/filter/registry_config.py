# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the CNCF distribution registry's config.yml as data.

``registry_config`` turns one flat dict of settings (the registry role's variables without the
``registry_`` prefix) into the nested configuration the ``registry`` binary reads; the role
writes it with ``to_nice_yaml``. ``registry_config_path`` gives the file the image reads by default.

Upstream facts this relies on:

* Configuration reference, 2.x and 3.x
  (https://distribution.github.io/distribution/about/configuration/ and docs/configuration.md on
  the release/2.8 branch): ``version: 0.1``; ``log.level`` is one of error/warn/info/debug and
  ``log.formatter`` one of text/json/logstash; ``storage.delete.enabled``,
  ``storage.redirect.disable``, ``storage.cache.blobdescriptor`` (inmemory or redis),
  ``storage.maintenance.uploadpurging`` (enabled, age, interval, dryrun: all four are read when
  enabled) and ``storage.maintenance.readonly.enabled``; ``auth.htpasswd`` needs realm and path;
  ``http.debug.prometheus.enabled``/``path`` (default /metrics); ``http.headers`` values are lists;
  ``health.storagedriver`` (enabled, interval, threshold); ``health.http`` (a list of uri,
  headers, statuscode, timeout, interval, threshold: a HEAD request that must answer statuscode
  within timeout; statuscode defaults to 200 and a missing timeout means none); ``proxy``
  (remoteurl, username, password).
* Health: once a check has failed ``threshold`` times in a row, the registry answers 503 to every
  request until it passes again. The storage driver check has no timeout of its own: with S3 it
  waits as long as the S3 client does, which in 2.8 (aws-sdk-go with Go's default HTTP client) is
  forever, so an S3 endpoint that accepts connections but never answers leaves the registry
  "healthy" while every storage request hangs. An ``health.http`` check with a timeout does fail.
* Redis: 2.8 reads ``redis.addr`` (a string); 3.x embeds go-redis ``UniversalOptions`` and reads
  ``redis.addrs`` (a list) -- goharbor/harbor-helm#2254 hit exactly this when moving to 3.0.
* S3 driver (docs/content/storage-drivers/s3.md and registry/storage/driver/s3-aws/s3.go):
  accesskey/secretkey are optional -- omit both to use the instance's IAM role; region and bucket
  are required; ``keyid`` is ignored unless ``encrypt`` is true; ``chunksize`` must be at least
  5 MiB (5242880); ``v4auth`` still exists in 3.x and defaults to true in both, so it is never
  written. ``forcepathstyle`` only exists in 3.x, where it defaults to false and is no longer
  implied by ``regionendpoint`` (commit 8654a0e "Allow setting s3 forcepathstyle without
  regionendpoint", distribution/distribution#4359); 2.8 has no such key and always uses
  path-style addressing when ``regionendpoint`` is set (the Debian 2.8.2 binary has no
  ``forcepathstyle`` string at all).
* Default configuration path: 2.x images read /etc/docker/registry/config.yml; 3.0.0 release
  notes: "the default configuration path has changed to /etc/distribution/config.yml".
"""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.parsing.convert_bool import boolean

CONFIG_PATHS = {
    '2': '/etc/docker/registry/config.yml',
    '3': '/etc/distribution/config.yml',
}

# Every key the input dict may hold, in documentation order. A value of None, '' or a missing key
# means "unset": the default below applies, and a setting without a default is left out.
DEFAULTS = {
    'dialect': None,
    'storage': 'filesystem',
    'filesystem_rootdirectory': '/var/lib/registry',
    's3_bucket': None,
    's3_region': None,
    's3_endpoint': None,
    's3_forcepathstyle': None,
    's3_access_key': None,
    's3_secret_key': None,
    's3_rootdirectory': None,
    's3_encrypt': None,
    's3_keyid': None,
    's3_secure': True,
    's3_skipverify': None,
    's3_chunksize': None,
    's3_storageclass': None,
    'auth': 'htpasswd',
    'auth_htpasswd_path': '/auth/htpasswd',
    'auth_realm': 'Registry Realm',
    'http_addr': ':5000',
    'http_secret': None,
    'http_host': None,
    'http_relativeurls': None,
    'http_headers': {'X-Content-Type-Options': ['nosniff']},
    'debug_addr': None,
    'debug_prometheus': False,
    'delete_enabled': False,
    'redirect_disable': False,
    'cache': 'inmemory',
    'redis_addr': None,
    'redis_password': None,
    'redis_db': None,
    'uploadpurging_enabled': True,
    'uploadpurging_age': '168h',
    'uploadpurging_interval': '24h',
    'uploadpurging_dryrun': False,
    'readonly': False,
    'health_storagedriver_enabled': True,
    'health_storagedriver_interval': '10s',
    'health_storagedriver_threshold': 3,
    'health_http': None,
    'log_level': 'info',
    'log_formatter': 'text',
    'log_fields': {'service': 'registry'},
    'proxy_remoteurl': None,
    'proxy_username': None,
    'proxy_password': None,
}

DIALECTS = ('2', '3')
STORAGES = ('filesystem', 's3')
AUTHS = ('htpasswd', 'none')
CACHES = ('inmemory', 'redis', 'none')
LOG_LEVELS = ('error', 'warn', 'info', 'debug')
LOG_FORMATTERS = ('text', 'json', 'logstash')
S3_MIN_CHUNKSIZE = 5 * 1024 * 1024
# A Go time.ParseDuration string such as 10s, 1h30m or 168h (what the registry expects).
_DURATION = re.compile(r'^([0-9]+(\.[0-9]+)?(ns|us|\u00b5s|ms|s|m|h))+$')


def _fail(key, message):
    raise AnsibleFilterError('registry_config: %s %s' % (key, message))


def _is_unset(value):
    return value is None or (isinstance(value, str) and value == '')


class _Settings:
    """Typed access to the input dict; every getter names the setting in its error."""

    def __init__(self, data):
        self.data = data

    def raw(self, key):
        value = self.data.get(key)
        return DEFAULTS[key] if _is_unset(value) else value

    def is_set(self, key):
        return not _is_unset(self.data.get(key))

    def string(self, key):
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            _fail(key, 'must be a string, got %s' % type(value).__name__)
        return str(value)

    def choice(self, key, choices):
        value = self.raw(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # dialect: 3 written without quotes
        if value not in choices:
            _fail(key, 'must be one of %s, got %r' % (', '.join(repr(c) for c in choices), value))
        return str(value)

    def flag(self, key):
        value = self.raw(key)
        if value is None:
            return None
        try:
            return boolean(value, strict=True)
        except TypeError:
            _fail(key, 'must be a boolean (true or false), got %r' % (value,))

    def integer(self, key, minimum=0):
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(key, 'must be an integer, got %r' % (value,))
        if value < minimum:
            _fail(key, 'must be at least %d, got %d' % (minimum, value))
        return value

    def duration(self, key):
        value = self.string(key)
        if value is not None and not _DURATION.match(value):
            _fail(key, 'must be a duration such as 10s, 30m, 24h or 1h30m, got %r' % value)
        return value

    def mapping(self, key):
        value = self.raw(key)
        if not isinstance(value, dict):
            _fail(key, 'must be a dictionary, got %s' % type(value).__name__)
        return value


def _prune(data):
    """Drop None values (unset options) from a nested dict, and dicts left empty by that."""
    result = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _prune(value)
            if not value:
                continue
        if value is None:
            continue
        result[key] = value
    return result


def _headers(settings, key='http_headers'):
    headers = {}
    for name, values in settings.mapping(key).items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(name, str) or not name or not is_sequence(values) or not values \
                or not all(isinstance(v, str) and v != '' for v in values):
            _fail(key, 'must map header names to non-empty lists of non-empty strings, '
                  'got %r: %r' % (name, values))
        headers[str(name)] = [str(v) for v in values]
    return headers


def _log_fields(settings):
    fields = {}
    for name, value in settings.mapping('log_fields').items():
        if not isinstance(name, str) or not name or _is_unset(value) \
                or not isinstance(value, (str, int, float, bool)):
            _fail('log_fields', 'must map field names to non-empty strings, numbers or booleans, '
                  'got %r: %r' % (name, value))
        fields[str(name)] = value if isinstance(value, (bool, int, float)) else str(value)
    return fields


def _s3(settings, dialect):
    for key in ('s3_bucket', 's3_region'):
        if not settings.is_set(key):
            _fail(key, 'is required when storage is s3')
    if settings.is_set('s3_access_key') != settings.is_set('s3_secret_key'):
        _fail('s3_access_key/s3_secret_key', 'must be set together, or both left unset to use '
              'the instance role (IAM) credentials')
    encrypt = settings.flag('s3_encrypt')
    if settings.is_set('s3_keyid') and not encrypt:
        _fail('s3_keyid', 'needs s3_encrypt: true (the registry ignores a KMS key otherwise)')
    endpoint = settings.string('s3_endpoint')
    forcepathstyle = settings.flag('s3_forcepathstyle')
    if dialect == '2':
        if forcepathstyle is not None:
            _fail('s3_forcepathstyle', "is only supported with dialect '3': distribution 2.8 has "
                  "no forcepathstyle and always uses path-style addressing when s3_endpoint is set")
    elif forcepathstyle is None and endpoint is not None:
        # 3.x stopped implying path-style for regionendpoint; S3-compatible stores need it.
        forcepathstyle = True
    return {
        'accesskey': settings.string('s3_access_key'),
        'secretkey': settings.string('s3_secret_key'),
        'region': settings.string('s3_region'),
        'regionendpoint': endpoint,
        'forcepathstyle': forcepathstyle,
        'bucket': settings.string('s3_bucket'),
        'encrypt': encrypt,
        'keyid': settings.string('s3_keyid'),
        'secure': settings.flag('s3_secure'),
        'skipverify': settings.flag('s3_skipverify'),
        'chunksize': settings.integer('s3_chunksize', S3_MIN_CHUNKSIZE),
        'rootdirectory': settings.string('s3_rootdirectory'),
        'storageclass': settings.string('s3_storageclass'),
    }


def _storage(settings, dialect, cache):
    if settings.choice('storage', STORAGES) == 's3':
        storage = {'s3': _s3(settings, dialect)}
    else:
        storage = {'filesystem': {'rootdirectory': settings.string('filesystem_rootdirectory')}}
    storage['delete'] = {'enabled': settings.flag('delete_enabled')}
    storage['redirect'] = {'disable': settings.flag('redirect_disable')}
    if cache != 'none':
        storage['cache'] = {'blobdescriptor': cache}
    purging = {'enabled': settings.flag('uploadpurging_enabled')}
    if purging['enabled']:
        # The registry reads all four keys once purging is enabled.
        purging.update(age=settings.duration('uploadpurging_age'),
                       interval=settings.duration('uploadpurging_interval'),
                       dryrun=settings.flag('uploadpurging_dryrun'))
    storage['maintenance'] = {
        'uploadpurging': purging,
        'readonly': {'enabled': settings.flag('readonly')},
    }
    return storage


def _http(settings):
    secret = settings.string('http_secret')
    if secret is None:
        _fail('http_secret', 'is required: a random string that signs upload state, the same on '
              'every registry instance behind one name')
    debug = {'addr': settings.string('debug_addr')}
    if settings.flag('debug_prometheus'):
        if debug['addr'] is None:
            _fail('debug_prometheus', 'needs debug_addr: metrics are served on the debug server')
        debug['prometheus'] = {'enabled': True, 'path': '/metrics'}
    return {
        'addr': settings.string('http_addr'),
        'host': settings.string('http_host'),
        'secret': secret,
        'relativeurls': settings.flag('http_relativeurls'),
        'debug': debug,
        'headers': _headers(settings),
    }


HTTP_CHECK_KEYS = ('uri', 'headers', 'statuscode', 'timeout', 'interval', 'threshold')


def _health_http(settings):
    checks = settings.raw('health_http')
    if checks is None:
        return None
    if not is_sequence(checks):
        _fail('health_http', 'must be a list of checks, got %s' % type(checks).__name__)
    result = []
    for index, check in enumerate(checks):
        key = 'health_http[%d]' % index
        if not isinstance(check, dict):
            _fail(key, 'must be a dictionary with uri, statuscode, timeout, interval and threshold, '
                  'got %s' % type(check).__name__)
        unknown = sorted(str(k) for k in check if k not in HTTP_CHECK_KEYS)
        if unknown:
            _fail(key, 'has unknown key(s) %s; allowed: %s' % (', '.join(unknown), ', '.join(HTTP_CHECK_KEYS)))
        uri = check.get('uri')
        if not isinstance(uri, str) or not re.match(r'^https?://[^/\s]+', uri):
            _fail(key + '.uri', 'must be an http(s) URL, got %r' % (uri,))
        # Without a timeout the check waits as long as the service does: it would never fail.
        if _is_unset(check.get('timeout')):
            _fail(key + '.timeout', 'is required (a duration such as 5s): without it a service that '
                  'accepts connections but never answers is never reported')
        for duration in ('timeout', 'interval'):
            value = check.get(duration)
            if not _is_unset(value) and (not isinstance(value, str) or not _DURATION.match(value)):
                _fail('%s.%s' % (key, duration), 'must be a duration such as 5s, got %r' % (value,))
        statuscode = check.get('statuscode')
        if not _is_unset(statuscode):
            if isinstance(statuscode, str) and statuscode.strip().isdigit():
                statuscode = int(statuscode)
            if isinstance(statuscode, bool) or not isinstance(statuscode, int) or not 100 <= statuscode <= 599:
                _fail(key + '.statuscode', 'must be an HTTP status code (100-599), got %r' % (statuscode,))
        threshold = check.get('threshold')
        if not _is_unset(threshold):
            if isinstance(threshold, str) and threshold.strip().isdigit():
                threshold = int(threshold)
            if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
                _fail(key + '.threshold', 'must be an integer of at least 1, got %r' % (threshold,))
        headers = check.get('headers')
        if not _is_unset(headers):
            headers = _headers(_Settings({key + '.headers': headers}), key + '.headers')
        result.append({
            'uri': uri,
            'headers': headers or None,
            'statuscode': None if _is_unset(statuscode) else statuscode,
            'timeout': check['timeout'],
            'interval': None if _is_unset(check.get('interval')) else check['interval'],
            'threshold': None if _is_unset(threshold) else threshold,
        })
    return [_prune(check) for check in result] or None


def _redis(settings, dialect):
    addr = settings.string('redis_addr')
    if addr is None:
        _fail('redis_addr', "is required when cache is 'redis' (host:port of the Redis server)")
    return {
        # 2.8: a single address; 3.x: go-redis UniversalOptions, a list of addresses.
        'addr': addr if dialect == '2' else None,
        'addrs': [addr] if dialect == '3' else None,
        'password': settings.string('redis_password'),
        'db': settings.integer('redis_db'),
    }


def _proxy(settings):
    if settings.is_set('proxy_username') != settings.is_set('proxy_password'):
        _fail('proxy_username/proxy_password', 'must be set together, or both left unset')
    remoteurl = settings.string('proxy_remoteurl')
    if remoteurl is None:
        if settings.is_set('proxy_username'):
            _fail('proxy_username', 'needs proxy_remoteurl')
        return None
    return {
        'remoteurl': remoteurl,
        'username': settings.string('proxy_username'),
        'password': settings.string('proxy_password'),
    }


def registry_config(settings):
    """Return the registry configuration (a dict) for the given settings dict."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError('registry_config: the input must be a dictionary of settings, '
                                 'got %s' % type(settings).__name__)
    unknown = sorted(str(key) for key in settings if key not in DEFAULTS)
    if unknown:
        raise AnsibleFilterError('registry_config: unknown setting(s) %s; allowed settings are: %s'
                                 % (', '.join(unknown), ', '.join(DEFAULTS)))
    settings = _Settings(settings)
    if not settings.is_set('dialect'):
        _fail('dialect', "is required: '2' (distribution 2.8) or '3' (distribution 3.x)")
    dialect = settings.choice('dialect', DIALECTS)
    cache = settings.choice('cache', CACHES)
    auth = None
    if settings.choice('auth', AUTHS) == 'htpasswd':
        auth = {'htpasswd': {'realm': settings.string('auth_realm'),
                             'path': settings.string('auth_htpasswd_path')}}
    health_enabled = settings.flag('health_storagedriver_enabled')
    config = {
        'version': '0.1',
        'log': {
            'level': settings.choice('log_level', LOG_LEVELS),
            'formatter': settings.choice('log_formatter', LOG_FORMATTERS),
            'fields': _log_fields(settings),
        },
        'storage': _storage(settings, dialect, cache),
        'auth': auth,
        'http': _http(settings),
        'redis': _redis(settings, dialect) if cache == 'redis' else None,
        'health': {'storagedriver': {
            'enabled': health_enabled,
            'interval': settings.duration('health_storagedriver_interval') if health_enabled else None,
            'threshold': settings.integer('health_storagedriver_threshold', 1) if health_enabled else None,
        }, 'http': _health_http(settings)},
        'proxy': _proxy(settings),
    }
    return _prune(config)


def registry_config_path(value):
    """Return the configuration file the registry image reads, for a dialect or a settings dict."""
    dialect = value.get('dialect') if isinstance(value, dict) else value
    if isinstance(dialect, int) and not isinstance(dialect, bool):
        dialect = str(dialect)
    if dialect not in CONFIG_PATHS:
        raise AnsibleFilterError("registry_config_path: dialect must be one of '2', '3', got %r"
                                 % (dialect,))
    return CONFIG_PATHS[dialect]


class FilterModule:
    """dockyard.registry registry configuration filters."""

    def filters(self):
        return {
            'registry_config': registry_config,
            'registry_config_path': registry_config_path,
        }
