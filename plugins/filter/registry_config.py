# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the CNCF distribution registry's config.yml as data, and check its settings.

Filters:

* ``registry_config(settings, http_secret=None, s3_health_status=None)``: the nested configuration the
  ``registry`` binary reads, from one flat dict of settings; the role writes it with ``to_nice_yaml``.
  The http secret (generated on the host) and the status code the S3 health check expects (probed on
  the host at deploy time) are arguments, not settings: they are not known before the role runs, while
  the settings are checked before anything changes. http_secret is required; s3_health_status is
  required when there is an S3 health check.
* ``registry_config_problems(settings, variable_prefix='')``: every problem of the settings, as a list
  of messages naming ``variable_prefix + key`` (empty: fine). ``registry_config`` raises with the same
  messages, so there is one implementation of each rule. The shapes (durations, URLs, host:port) are the
  shared rules of module_utils/rules.py.
* ``registry_dialect(image, configured='auto', container=None, version=None)``: '2' or '3', the configuration
  dialect of an image, or '' when it cannot be known without asking the image (its ``--version``, once per
  reference: the answer is kept in a label of the container, which ``container`` gives back).
* ``registry_running_image(container)``: the image reference the role's container was made from (its label).
* ``registry_runtime(dialect)``: the configuration path, command and environment of an image of that dialect.
* ``registry_health_wait(settings, delay=2)`` and ``registry_health_check(result, settings, container, delay)``:
  how long to watch the registry's health after its container (re)starts, and what a reading says (with the
  likely cause when the storage fails).
* ``registry_s3_health_uri(settings)``: the URL the S3 health check probes, or '' when there is none.
* ``registry_config_path(dialect)``: the file the image reads by default.

No defaults here. Every key of SCHEMA is required in the input (a missing key is a problem that names
it); None or '' means "unset" only for a key the registry's configuration treats as optional, and an
unset key is left out of config.yml. The defaults live in roles/registry/defaults/main.yml (what a
user may change) and roles/registry/vars/main.yml (the container's fixed layout).

Where each key comes from in the registry role (tests/unit/plugins/filter/test_registry_config.py
checks the wiring):

* the role variable ``registry_<key>``, documented in the role's meta/argument_specs.yml: storage,
  s3_*, delete_enabled, redirect_disable, cache, redis_*, uploadpurging_*, readonly, health_*,
  log_level, log_formatter;
* ``dialect``: ``registry_image | registry_dialect(registry_config_dialect, <container>, <--version output>)``;
* ``domain``: registry_domain, the basic authentication realm and http.host (https://<domain>);
* the container's layout, fixed in vars/main.yml: filesystem_rootdirectory (/var/lib/registry, where
  the data directory is mounted), auth_htpasswd_path (/auth/htpasswd),
  http_addr (:5000, the published port), debug_addr (127.0.0.1:5001, the health check's server, on the
  container's own loopback: never published, not reachable from the Docker bridge),
  http_headers (X-Content-Type-Options: nosniff), log_fields (service: registry).

Settings of the earlier filter that no role variable reached, and what became of each:

* kept, now role variables: s3_forcepathstyle (empty: automatic, see below), s3_keyid (a KMS key for
  s3_encrypt), s3_chunksize (0: the driver's default), s3_storageclass (empty: the driver's default),
  log_formatter (text, json or logstash, for log collectors);
* removed: s3_skipverify (turns off TLS verification of S3: not offered); http_host and
  http_relativeurls (http.host is now always https://<domain>, issue 12); debug_prometheus (the
  debug server is internal; a later issue decides about metrics); proxy_remoteurl, proxy_username and
  proxy_password (a pull-through mirror is a later issue); auth 'none' (the role always uses htpasswd:
  the auth section is always written); health_http, a free list of HTTP checks (the role only ever
  passed its S3 check, now built here from health_s3_check_enabled and health_s3_check_timeout);
  s3_secure (derived from the endpoint's scheme: false for http://, true otherwise; an http:// endpoint needs
  s3_allow_http: true);
  http_secret (now an argument, see above).

Upstream facts this relies on:

* Configuration reference, 2.x and 3.x
  (https://distribution.github.io/distribution/about/configuration/ and docs/configuration.md on
  the release/2.8 branch): ``version: 0.1``; ``log.level`` is one of error/warn/info/debug and
  ``log.formatter`` one of text/json/logstash; ``storage.delete.enabled``,
  ``storage.redirect.disable``, ``storage.cache.blobdescriptor`` (inmemory or redis),
  ``storage.maintenance.uploadpurging`` (enabled, age, interval, dryrun: all four are read when
  enabled) and ``storage.maintenance.readonly.enabled``; ``auth.htpasswd`` needs realm and path;
  ``http.headers`` values are lists; ``health.storagedriver`` (enabled, interval, threshold);
  ``health.http`` (a list of uri, headers, statuscode, timeout, interval, threshold: a HEAD request that
  must answer statuscode within timeout; statuscode defaults to 200 and a missing timeout means none).
* Health: once a check has failed ``threshold`` times in a row, the registry answers 503 to every
  request until it passes again. The storage driver check has no timeout of its own: with S3 it
  waits as long as the S3 client does, which in 2.8 (aws-sdk-go with Go's default HTTP client) is
  forever, so an S3 endpoint that accepts connections but never answers leaves the registry
  "healthy" while every storage request hangs. An ``health.http`` check with a timeout does fail: the
  S3 health check is an anonymous HEAD of the bucket's path-style URL on the endpoint (on AWS,
  https://s3.<region>.amazonaws.com/<bucket>), expecting what the endpoint answered the role's own
  probe at deploy time (403 for a private AWS bucket).
* Redis: 2.8 reads ``redis.addr`` (a string); 3.x embeds go-redis ``UniversalOptions`` and reads
  ``redis.addrs`` (a list) -- goharbor/harbor-helm#2254 hit exactly this when moving to 3.0.
* S3 driver (docs/content/storage-drivers/s3.md and registry/storage/driver/s3-aws/s3.go, v2.8.2 and
  v3.0.0): accesskey/secretkey are optional -- omit both to use the instance's IAM role; region and
  bucket are required; ``keyid`` is ignored unless ``encrypt`` is true; ``chunksize`` must be from
  5 MiB to 5 GiB (default 10 MiB); ``storageclass`` (default STANDARD, read case-insensitively) is one
  of NONE, STANDARD, REDUCED_REDUNDANCY in 2.8, and also STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING,
  OUTPOSTS, GLACIER_IR in 3.x (NONE: the endpoint does not support storage classes); ``v4auth`` still
  exists in 3.x and defaults to true in both, so it is never written. ``forcepathstyle`` only exists
  in 3.x, where it defaults to false and is no longer implied by ``regionendpoint`` (commit 8654a0e
  "Allow setting s3 forcepathstyle without regionendpoint", distribution/distribution#4359), while
  S3-compatible stores (MinIO, Ceph, moto) need it: unset, it is true on dialect 3 when an endpoint other
  than Amazon's own (*.amazonaws.com; the driver's reference says of regionendpoint "This option should not
  be provided when using Amazon S3") is set. 2.8 has no such key and always uses path-style addressing when ``regionendpoint`` is set (the
  Debian 2.8.2 binary has no ``forcepathstyle`` string at all), so setting it on dialect 2 is refused.
* Default configuration path: 2.x images read /etc/docker/registry/config.yml; 3.0.0 release
  notes: "the default configuration path has changed to /etc/distribution/config.yml". The images' command
  is ``serve <that path>`` (3.x: ENTRYPOINT ["registry"], CMD ["serve", "/etc/distribution/config.yml"]);
  registry:3's Dockerfile sets OTEL_TRACES_EXPORTER=none since 3.1, 3.0.0's did not ("Disable traces
  export" in the configuration reference).
* Health timing (health/health.go, v2.8.3 PeriodicThresholdChecker and v3.1.1 Poll): the first storage
  check runs one interval after start (a ticker), then every interval; the threshold updater reports the
  error only after ``threshold`` failures in a row. 3.1.1 logs each failure ("storage driver health
  check: ..."); 2.8 does not.
* ``registry --version`` prints ``registry <Go module> <version>``: ``github.com/docker/distribution
  v2.8.3`` (Debian's build: ``2.8.2+ds1``), ``github.com/distribution/distribution/v3 v3.1.1``.
* The S3 driver of both dialects takes credentials, when no keys are set, from aws-sdk-go's default chain
  (environment, shared files, then the EC2 instance metadata service): from inside a container that is
  one hop further than the host, which IMDSv2's default hop limit of 1 does not allow
  (distribution-library-image#121).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.dockyard.registry.plugins.module_utils.rules import (
    go_duration_seconds,
    is_go_duration,
    is_host_port,
    is_http_url,
    is_loopback_address,
)

CONFIG_PATHS = {
    '2': '/etc/docker/registry/config.yml',
    '3': '/etc/distribution/config.yml',
}

DIALECTS = ('2', '3')
# What the registry container runs, per dialect: the upstream images' own command, `serve <config>` (registry:3's
# entrypoint is `registry`; registry:2's /entrypoint.sh turns `serve ...` into `registry serve ...`), and its
# environment. 3.0.0's image exported OpenTelemetry traces to localhost:4318 by default (the configuration
# reference's "Disable traces export"; 3.1's image sets OTEL_TRACES_EXPORTER=none itself): set for every 3.x image.
RUNTIME_ENV = {'2': {}, '3': {'OTEL_TRACES_EXPORTER': 'none'}}
# The labels the registry role puts on its container: the image reference the container was made from, and that
# image's own dialect as registry_dialect found it (from the tag, or asked from the image; '' when not known).
IMAGE_LABEL = 'dockyard.registry.image'
IMAGE_DIALECT_LABEL = 'dockyard.registry.image-dialect'
# Repositories whose tags are distribution's version numbers: the upstream image (registry, docker.io/library/registry
# or a mirror's .../registry) and distribution's own (ghcr.io/distribution/distribution).
VERSION_TAGGED_REPOSITORIES = ('registry', 'distribution')
_VERSION_TAG = re.compile(r'v?(?P<major>[0-9]+)(?:[.-][0-9A-Za-z.+-]*)?\Z')
# `registry --version`: "registry github.com/docker/distribution v2.8.3" (Debian's build: "... 2.8.2+ds1"),
# "registry github.com/distribution/distribution/v3 v3.1.1" (cmd/registry's version flag).
_VERSION_OUTPUT = re.compile(r'^registry\s+(?P<module>\S+)\s+(?P<version>\S+)', re.M)
_VERSION_NUMBER = re.compile(r'v?(?P<major>[0-9]+)\.[0-9]+')
_VERSION_MODULES = {'github.com/docker/distribution': '2', 'github.com/distribution/distribution/v3': '3'}
# Amazon S3's own endpoints (s3.<region>.amazonaws.com, FIPS, dual-stack, China): virtual-hosted style works there.
_AWS_ENDPOINT = re.compile(r'https?://(?:[^/:]+\.)?amazonaws\.com(?:\.cn)?(?::[0-9]+)?/?\Z', re.I)
# The registry's health after its container (re)starts (registry_health_wait, registry_health_check): how long its
# debug server may take to answer at all, and the slack given each storage check beyond its interval (a check
# whose credentials cannot be had waits for the instance metadata service's timeouts).
HEALTH_START_SECONDS = 30
HEALTH_CHECK_SLACK_SECONDS = 10
_HTTP_503 = re.compile(r'\b503\b')
STORAGES = ('filesystem', 's3')
CACHES = ('inmemory', 'redis', 'none')
LOG_LEVELS = ('error', 'warn', 'info', 'debug')
LOG_FORMATTERS = ('text', 'json', 'logstash')
S3_MIN_CHUNKSIZE = 5 * 1024 * 1024
S3_MAX_CHUNKSIZE = 5 * 1024 * 1024 * 1024
S3_STORAGE_CLASSES = {
    '2': ('NONE', 'STANDARD', 'REDUCED_REDUNDANCY'),
    '3': ('NONE', 'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'OUTPOSTS', 'GLACIER_IR'),
}

# Every key of the settings, in documentation order: (kind, choices or minimum, optional). Every key is
# required; None or '' leaves an optional key unset (out of config.yml) and is a problem for the others.
SCHEMA = {
    'dialect': ('choice', DIALECTS, True),
    'storage': ('choice', STORAGES, False),
    'filesystem_rootdirectory': ('str', None, False),
    's3_bucket': ('str', None, True),
    's3_region': ('str', None, True),
    's3_endpoint': ('str', None, True),
    's3_allow_http': ('bool', None, False),
    's3_forcepathstyle': ('bool', None, True),
    's3_access_key': ('str', None, True),
    's3_secret_key': ('str', None, True),
    's3_rootdirectory': ('str', None, True),
    's3_encrypt': ('bool', None, True),
    's3_keyid': ('str', None, True),
    's3_chunksize': ('int', 0, True),
    's3_storageclass': ('str', None, True),
    'auth_htpasswd_path': ('str', None, False),
    'domain': ('str', None, False),
    'http_addr': ('str', None, False),
    'http_headers': ('headers', None, False),
    'debug_addr': ('str', None, True),
    'delete_enabled': ('bool', None, False),
    'redirect_disable': ('bool', None, False),
    'cache': ('choice', CACHES, False),
    'redis_addr': ('str', None, True),
    'redis_password': ('str', None, True),
    'redis_db': ('int', 0, True),
    'uploadpurging_enabled': ('bool', None, False),
    'uploadpurging_age': ('duration', None, False),
    'uploadpurging_interval': ('duration', None, False),
    'uploadpurging_dryrun': ('bool', None, False),
    'readonly': ('bool', None, False),
    'health_storagedriver_enabled': ('bool', None, False),
    'health_storagedriver_interval': ('duration', None, False),
    'health_storagedriver_threshold': ('int', 1, False),
    'health_s3_check_enabled': ('bool', None, False),
    'health_s3_check_timeout': ('duration', None, False),
    'log_level': ('choice', LOG_LEVELS, False),
    'log_formatter': ('choice', LOG_FORMATTERS, False),
    'log_fields': ('fields', None, False),
}


def _is_unset(value):
    return value is None or (isinstance(value, str) and value == '')


def _shape(value):
    """A value's kind in words: strings may be secrets, and ansible-core 2.19 hands filters its own classes."""
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, dict):
        return 'a dictionary'
    if is_sequence(value):
        return 'a list'
    return 'a value of another type'


def _shown(value):
    """A value that is not secret, for a message: None shown as empty, like ''."""
    return '' if value is None else value


def _integer(value):
    """VALUE as an int (a whole number given as a string too), or None."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _headers(value):
    """{name: [value, ...]} from a dict of names to a string or a list of strings, or None when malformed."""
    if not isinstance(value, dict):
        return None
    headers = {}
    for name, values in value.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(name, str) or not name or not is_sequence(values) or not values \
                or not all(isinstance(v, str) and v != '' for v in values):
            return None
        headers[str(name)] = [str(v) for v in values]
    return headers


def _fields(value):
    """{name: scalar} with non-empty names and values, or None when malformed."""
    if not isinstance(value, dict):
        return None
    fields = {}
    for name, field in value.items():
        if not isinstance(name, str) or not name or _is_unset(field) \
                or not isinstance(field, (str, int, float, bool)):
            return None
        fields[str(name)] = field if isinstance(field, (bool, int, float)) else str(field)
    return fields


def _typed(key, value, name):
    """(value converted to its kind, None) or (None, a problem naming NAME)."""
    kind, arg, optional = SCHEMA[key]
    if _is_unset(value):
        if optional:
            return None, None
        if kind == 'str':
            return None, '%s must be set; it is empty' % name
    if kind == 'str':
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None, '%s must be a string; got %s' % (name, _shape(value))
        return str(value), None
    if kind == 'choice':
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if text not in arg:
            return None, "%s must be one of %s; got '%s'" % (name, ', '.join(arg), _shown(value))
        return str(text), None
    if kind == 'bool':
        try:
            return boolean(value, strict=True), None
        except TypeError:
            if optional:
                return None, "%s must be true, false or empty; got '%s'" % (name, value)
            return None, "%s must be true or false; got '%s'" % (name, _shown(value))
    if kind == 'int':
        number = _integer(value)
        if number is None or number < arg:
            return None, "%s must be an integer of at least %d; got '%s'" % (name, arg, _shown(value))
        return number, None
    if kind == 'duration':
        if not is_go_duration(value):
            return None, "%s must be a duration such as 90s, 30m, 24h or 1h30m; got '%s'" % (name, _shown(value))
        return value, None
    if kind == 'headers':
        headers = _headers(value)
        if headers is None:
            return None, '%s must map header names to non-empty strings or lists of them' % name
        return headers, None
    fields = _fields(value)
    if fields is None:
        return None, '%s must map field names to non-empty strings, numbers or booleans' % name
    return fields, None


def _s3_problems(values, prefix):
    problems = []
    if 's3_bucket' in values and values['s3_bucket'] is None:
        problems.append('%sstorage is s3, so set %ss3_bucket (the bucket name)' % (prefix, prefix))
    if 's3_region' in values and values['s3_region'] is None:
        problems.append('%sstorage is s3, so set %ss3_region (the region of the bucket, such as eu-west-1)' % (prefix, prefix))
    if 's3_access_key' in values and 's3_secret_key' in values \
            and (values['s3_access_key'] is None) != (values['s3_secret_key'] is None):
        given = 's3_access_key' if values['s3_secret_key'] is None else 's3_secret_key'
        problems.append('set %ss3_access_key and %ss3_secret_key together, or neither (to use the instance\'s IAM role); '
                        'only %s%s is set' % (prefix, prefix, prefix, given))
    endpoint = values.get('s3_endpoint')
    if endpoint is not None and not is_http_url(endpoint, path=False):
        problems.append("%ss3_endpoint must be an http(s) URL without a path, such as https://minio.example.com:9000; "
                        "got '%s' (empty means Amazon S3)" % (prefix, endpoint))
    elif endpoint is not None and endpoint.lower().startswith('http://') and values.get('s3_allow_http') is False:
        problems.append("%ss3_endpoint '%s' is plain HTTP: the registry's S3 requests and the pre-signed URLs it sends "
                        "clients for layers would cross the network unencrypted; use an https:// endpoint, or set "
                        "%ss3_allow_http: true to accept that" % (prefix, endpoint, prefix))
    if values.get('s3_keyid') is not None and 's3_encrypt' in values and not values['s3_encrypt']:
        problems.append('%ss3_keyid (a KMS key) needs %ss3_encrypt: true; the registry ignores it otherwise' % (prefix, prefix))
    dialect = values.get('dialect')
    if values.get('s3_forcepathstyle') is not None and dialect == '2':
        problems.append('%ss3_forcepathstyle must be empty with distribution 2.8 (dialect 2), which has no such setting and '
                        'uses path-style addressing whenever %ss3_endpoint is set' % (prefix, prefix))
    chunksize = values.get('s3_chunksize')
    if chunksize and not S3_MIN_CHUNKSIZE <= chunksize <= S3_MAX_CHUNKSIZE:
        problems.append("%ss3_chunksize must be 0 (the driver's default, 10 MiB) or from %d (5 MiB) to %d (5 GiB); got %d"
                        % (prefix, S3_MIN_CHUNKSIZE, S3_MAX_CHUNKSIZE, chunksize))
    storageclass = values.get('s3_storageclass')
    if storageclass is not None and dialect in S3_STORAGE_CLASSES and storageclass.upper() not in S3_STORAGE_CLASSES[dialect]:
        problems.append("%ss3_storageclass must be empty (the driver's default, STANDARD) or one of %s with dialect %s; got '%s'"
                        % (prefix, ', '.join(S3_STORAGE_CLASSES[dialect]), dialect, storageclass))
    return problems


def _check(settings, prefix):
    """(values, problems): the settings converted to their kinds (None: unset), and every problem found.

    A key with a problem of its own is missing from VALUES, so the rules across keys skip it.
    """
    if not isinstance(settings, dict):
        return {}, ['the settings must be a dictionary; got %s' % _shape(settings)]
    problems = []
    missing = [key for key in SCHEMA if key not in settings]
    if missing:
        problems.append("missing setting(s) %s: every key is required (None or '' leaves an optional one unset)"
                        % ', '.join(missing))
    unknown = sorted(str(key) for key in settings if key not in SCHEMA)
    if unknown:
        problems.append('unknown setting(s) %s; allowed: %s' % (', '.join(unknown), ', '.join(SCHEMA)))
    values = {}
    for key in SCHEMA:
        if key in settings:
            value, problem = _typed(key, settings[key], prefix + key)
            if problem:
                problems.append(problem)
            else:
                values[key] = value
    if values.get('storage') == 's3':
        problems.extend(_s3_problems(values, prefix))
    debug_addr = values.get('debug_addr')
    if debug_addr is not None and not (is_host_port(debug_addr) and is_loopback_address(debug_addr.rpartition(':')[0].strip('[]'))):
        problems.append("%sdebug_addr must be a loopback address and port such as 127.0.0.1:5001 (the debug server has no "
                        "authentication and serves /debug/pprof and /debug/vars), or empty for none; got '%s'"
                        % (prefix, debug_addr))
    if values.get('cache') == 'redis' and 'redis_addr' in values and not is_host_port(values['redis_addr']):
        problems.append("%scache is redis: set %sredis_addr (host:port); got '%s'" % (prefix, prefix, _shown(values['redis_addr'])))
    return values, problems


def _checked(name, settings):
    values, problems = _check(settings, '')
    if problems:
        raise AnsibleFilterError('%s: %s' % (name, '; '.join(problems)))
    return values


def _s3_health_uri(values):
    if values['storage'] != 's3' or not values['health_s3_check_enabled']:
        return ''
    if values['s3_endpoint'] is not None:
        base = values['s3_endpoint'].rstrip('/')
    else:
        base = 'https://s3.%s.amazonaws.com' % values['s3_region']
    return '%s/%s' % (base, values['s3_bucket'])


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


def _s3(v):
    endpoint = v['s3_endpoint']
    forcepathstyle = v['s3_forcepathstyle']
    if forcepathstyle is None and endpoint is not None and v['dialect'] == '3' and not _AWS_ENDPOINT.match(endpoint):
        # 3.x stopped implying path-style for regionendpoint; S3-compatible stores need it (Amazon's own
        # endpoints take the driver's default, virtual-hosted style).
        forcepathstyle = True
    return {
        'accesskey': v['s3_access_key'],
        'secretkey': v['s3_secret_key'],
        'region': v['s3_region'],
        'regionendpoint': endpoint,
        'forcepathstyle': forcepathstyle,
        'bucket': v['s3_bucket'],
        'encrypt': v['s3_encrypt'],
        'keyid': v['s3_keyid'],
        'secure': endpoint is None or not endpoint.startswith('http://'),
        'chunksize': v['s3_chunksize'] or None,
        'rootdirectory': v['s3_rootdirectory'],
        'storageclass': v['s3_storageclass'].upper() if v['s3_storageclass'] is not None else None,
    }


def _storage(v):
    if v['storage'] == 's3':
        storage = {'s3': _s3(v)}
    else:
        storage = {'filesystem': {'rootdirectory': v['filesystem_rootdirectory']}}
    storage['delete'] = {'enabled': v['delete_enabled']}
    storage['redirect'] = {'disable': v['redirect_disable']}
    if v['cache'] != 'none':
        storage['cache'] = {'blobdescriptor': v['cache']}
    purging = {'enabled': v['uploadpurging_enabled']}
    if purging['enabled']:
        # The registry reads all four keys once purging is enabled.
        purging.update(age=v['uploadpurging_age'], interval=v['uploadpurging_interval'], dryrun=v['uploadpurging_dryrun'])
    storage['maintenance'] = {'uploadpurging': purging, 'readonly': {'enabled': v['readonly']}}
    return storage


def _health(v, s3_health_status):
    enabled = v['health_storagedriver_enabled']
    health = {'storagedriver': {
        'enabled': enabled,
        'interval': v['health_storagedriver_interval'] if enabled else None,
        'threshold': v['health_storagedriver_threshold'] if enabled else None,
    }}
    uri = _s3_health_uri(v)
    if uri:
        # On the storage check's interval and threshold; the timeout is what that check lacks.
        health['http'] = [{
            'uri': uri,
            'statuscode': s3_health_status,
            'timeout': v['health_s3_check_timeout'],
            'interval': v['health_storagedriver_interval'],
            'threshold': v['health_storagedriver_threshold'],
        }]
    return health


def registry_config_problems(settings, variable_prefix=''):
    """Every problem of SETTINGS, each message naming VARIABLE_PREFIX + key; an empty list when all is fine."""
    return _check(settings, variable_prefix)[1]


def registry_config(settings, http_secret=None, s3_health_status=None):
    """Return the registry configuration (a dict) for SETTINGS, with the runtime values HTTP_SECRET and S3_HEALTH_STATUS.

    HTTP_SECRET signs upload state (required). S3_HEALTH_STATUS is the status code the S3 health check
    expects (required when there is one: registry_s3_health_uri is not empty).
    """
    values, problems = _check(settings, '')
    status = _integer(s3_health_status)
    # The rules across keys need every key: with problems in the settings, the S3 check is not known.
    if not problems and _s3_health_uri(values):
        if _is_unset(s3_health_status):
            problems.append('s3_health_status is required with storage s3 and health_s3_check_enabled: the HTTP status code '
                            'the S3 health check expects (the answer to an anonymous HEAD of the URL registry_s3_health_uri gives)')
        elif status is None or not 100 <= status <= 599:
            problems.append("s3_health_status must be an HTTP status code (100-599); got '%s'" % (s3_health_status,))
    if not isinstance(http_secret, str) or http_secret == '':
        problems.append('http_secret is required: a random string that signs upload state, the same on every registry '
                        'instance behind one name')
    if not problems and values['dialect'] is None:
        problems.append("dialect must be 2 or 3 to build the configuration; it is not known yet (registry_dialect gives '' "
                        "for an image whose tag does not say: ask the image, with its --version output)")
    if problems:
        raise AnsibleFilterError('registry_config: %s' % '; '.join(problems))
    v = values
    config = {
        'version': '0.1',
        'log': {'level': v['log_level'], 'formatter': v['log_formatter'], 'fields': v['log_fields']},
        'storage': _storage(v),
        'auth': {'htpasswd': {'realm': v['domain'], 'path': v['auth_htpasswd_path']}},
        'http': {
            'addr': v['http_addr'],
            # The URL clients use (nginx, on 443), so the Location headers the registry sends never follow a
            # client's Host or Forwarded header.
            'host': 'https://%s' % ('[%s]' % v['domain'] if ':' in v['domain'] else v['domain']),
            'secret': str(http_secret),
            'debug': {'addr': v['debug_addr']},
            'headers': v['http_headers'],
        },
        'redis': {
            # 2.8: a single address; 3.x: go-redis UniversalOptions, a list of addresses.
            'addr': v['redis_addr'] if v['dialect'] == '2' else None,
            'addrs': [v['redis_addr']] if v['dialect'] == '3' else None,
            'password': v['redis_password'],
            'db': v['redis_db'],
        } if v['cache'] == 'redis' else None,
        'health': _health(v, status),
    }
    return _prune(config)


def registry_s3_health_uri(settings):
    """The URL the registry's S3 health check probes (the bucket, path-style), or '' when config.yml has no such check."""
    return _s3_health_uri(_checked('registry_s3_health_uri', settings))


def _dialect_of_tag(image):
    """'2' or '3' when IMAGE is distribution's (VERSION_TAGGED_REPOSITORIES) with a version tag, else ''.

    [host[:port]/]name[:tag][@digest]: the tag follows the ':' of the last path component. An image given by
    digest is what the digest names, whatever a tag beside it says: ''.
    """
    if '@' in image:
        return ''
    repository, _sep, tag = image.split('/')[-1].partition(':')
    match = _VERSION_TAG.match(tag)
    if repository in VERSION_TAGGED_REPOSITORIES and match and match.group('major') in DIALECTS:
        return match.group('major')
    return ''


def _dialect_of_version(output):
    """'2' or '3' from the output of `registry --version`; raises when it says neither."""
    match = _VERSION_OUTPUT.search(output)
    if match:
        number = _VERSION_NUMBER.match(match.group('version'))
        # A build without a version number (such as "(devel)") still names its Go module.
        major = number.group('major') if number else _VERSION_MODULES.get(match.group('module'))
        if major in DIALECTS:
            return major
    raise AnsibleFilterError("registry_dialect: the image's --version output names no distribution 2.x or 3.x registry: %r; "
                             "set registry_config_dialect to 2 or 3 for this image" % output[:200])


def _running_labels(container):
    """The labels of the container in CONTAINER: docker_container_info's result (or its 'container'), or None."""
    if isinstance(container, dict) and 'container' in container:
        container = container['container']
    if not isinstance(container, dict):
        return {}
    labels = (container.get('Config') or {}).get('Labels')
    return labels if isinstance(labels, dict) else {}


def registry_running_image(container):
    """The image reference the role's container was made from (its label), or '' (no container, or not the role's)."""
    image = _running_labels(container).get(IMAGE_LABEL)
    return image if isinstance(image, str) else ''


def registry_dialect(image, configured='auto', container=None, version=None):
    """'2', '3', or '' when it cannot be known without asking the image.

    In this order: CONFIGURED when it is 2 or 3; the image's VERSION output (`registry --version`) when given;
    the tag of distribution's own images (registry:2.8.3, .../registry:3, distribution/distribution:3.1.1);
    the dialect the role's label on CONTAINER (docker_container_info's result) recorded for this same IMAGE
    reference; else ''.
    """
    if isinstance(configured, int) and not isinstance(configured, bool):
        configured = str(configured)
    if configured in DIALECTS:
        return str(configured)
    if configured != 'auto':
        raise AnsibleFilterError("registry_dialect: the configured dialect must be auto, 2 or 3; got '%s'" % (configured,))
    if not isinstance(image, str):
        raise AnsibleFilterError('registry_dialect: the image must be a string such as registry:3.1.1; got %s' % _shape(image))
    if not _is_unset(version):
        if not isinstance(version, str):
            raise AnsibleFilterError("registry_dialect: version must be the image's --version output (a string); got %s"
                                     % _shape(version))
        return _dialect_of_version(version)
    tagged = _dialect_of_tag(image)
    if tagged:
        return tagged
    labels = _running_labels(container)
    if labels.get(IMAGE_LABEL) == image and labels.get(IMAGE_DIALECT_LABEL) in DIALECTS:
        return labels[IMAGE_DIALECT_LABEL]
    return ''


def registry_runtime(dialect):
    """How to run an image of DIALECT: its configuration path, command and environment."""
    path = registry_config_path(dialect)
    dialect = str(dialect)
    return {'config_path': path, 'command': ['serve', path], 'env': dict(RUNTIME_ENV[dialect])}


def _health_wait_seconds(v):
    if v['storage'] != 's3' or not (v['health_storagedriver_enabled'] or _s3_health_uri(v)):
        return 0
    interval = go_duration_seconds(v['health_storagedriver_interval'])
    return int(math.ceil((v['health_storagedriver_threshold'] + 1) * interval)) + HEALTH_CHECK_SLACK_SECONDS


def _positive_delay(name, delay):
    number = _integer(delay)
    if number is None or number < 1:
        raise AnsibleFilterError("%s: delay must be a whole number of seconds of at least 1; got '%s'" % (name, delay))
    return number


def registry_health_wait(settings, delay=2):
    """How long to watch the registry's health after its container (re)started: {'seconds': ..., 'retries': ...}.

    seconds: with S3, the storage must prove itself from inside the container (its credentials and network are not
    the host's): the registry runs its storage check (and its S3 health check) every interval, the first one an
    interval after it starts, and answers 503 after `threshold` failures in a row, so the watch lasts
    (threshold + 1) x interval plus HEALTH_CHECK_SLACK_SECONDS for slow checks. With filesystem storage (a directory
    of the host) or no storage checks at all: 0, the debug server answering once is enough.
    retries: for an `until` loop reading the health every DELAY seconds, enough to cover those seconds and
    HEALTH_START_SECONDS more for a registry that does not answer at all (registry_health_check says when to stop).
    """
    seconds = _health_wait_seconds(_checked('registry_health_wait', settings))
    delay = _positive_delay('registry_health_wait', delay)
    return {'seconds': seconds, 'retries': int(math.ceil(float(seconds + HEALTH_START_SECONDS) / delay)) + 1}


def _storage_problem(v, container, waited):
    head = ("The registry's storage health check fails: /debug/health answered 503 %d s after the container '%s' started"
            % (waited, container))
    tail = ('The registry says which storage call failed in its log: docker logs %s. Nothing else was changed and the '
            'stored images are untouched; the registry answers 503 until its check passes (it retries by itself), '
            'then run the playbook again.' % container)
    if v['storage'] != 's3':
        return ('%s: it cannot use its storage (%s in the container, registry_data_dir on the host). Check that '
                'directory exists and root can read and write it. %s' % (head, v['filesystem_rootdirectory'], tail))
    where = "S3 bucket '%s' at %s" % (v['s3_bucket'], v['s3_endpoint'] or 'Amazon S3 (%s)' % v['s3_region'])
    if v['s3_access_key'] is None:
        return ("%s: the registry cannot use the %s, although the host could (the role's pre-flight check passed on the "
                "host). With no registry_s3_access_key the registry takes the credentials of the instance's IAM role, "
                "which the container fetches from the instance metadata service (IMDS) through Docker's bridge, one "
                "network hop further than the host. On EC2 with IMDSv2 the default hop limit of 1 gives the host its "
                "credentials and the container none: allow 2 hops with `aws ec2 modify-instance-metadata-options "
                "--instance-id <the instance's id> --http-put-response-hop-limit 2 --http-endpoint enabled` (or in the "
                "launch template's metadata options), or set registry_s3_access_key and registry_s3_secret_key. %s"
                % (head, where, tail))
    return ("%s: the registry cannot use the %s with its keys, although the host could (the role's pre-flight check "
            "passed on the host). The container reaches S3 through Docker's bridge with its own name resolution: check "
            "it resolves and reaches that endpoint (registry_etc_hosts gives it names the host resolves some other way, "
            "such as a private endpoint in /etc/hosts), and any proxy or firewall rule between Docker's bridge network "
            "and S3. %s" % (head, where, tail))


def registry_health_check(result, settings, container='registry', delay=2):
    """Whether watching the registry's health is over, and what is wrong: {'done': bool, 'problem': str ('' if fine)}.

    RESULT is a registered docker_container_exec of `wget -q -O /dev/null http://127.0.0.1:<debug port>/debug/health`
    inside the container, retried every DELAY seconds (its 'attempts'). Done at once on a 503 (a storage check failed
    `threshold` times); done and fine once it answered 200 after registry_health_wait seconds; done with a problem
    when the debug server still does not answer (or the container does not run) HEALTH_START_SECONDS later.
    """
    if not isinstance(result, dict) or result.get('skipped'):
        return {'done': True, 'problem': ''}
    v = _checked('registry_health_check', settings)
    wait = _health_wait_seconds(v)
    waited = int(result.get('attempts') or 1) * _positive_delay('registry_health_check', delay)
    rc = result.get('rc')
    if rc == 0:
        return {'done': waited >= wait, 'problem': ''}
    detail = (result.get('stderr') or '').strip() if rc is not None else (result.get('msg') or '').strip()
    if rc is not None and _HTTP_503.search(detail):
        return {'done': True, 'problem': _storage_problem(v, container, waited)}
    if waited < wait + HEALTH_START_SECONDS:
        return {'done': False, 'problem': ''}
    return {'done': True, 'problem': (
        "The registry in the container '%s' does not answer on its debug server (/debug/health, inside the container) "
        "%d s after the container started: %s. It may have stopped or keep restarting; its log says why: docker logs %s. "
        "Nothing else was changed and the stored images are untouched." % (container, waited, detail or 'rc %s' % rc, container))}


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
            'registry_config_problems': registry_config_problems,
            'registry_config_path': registry_config_path,
            'registry_dialect': registry_dialect,
            'registry_running_image': registry_running_image,
            'registry_runtime': registry_runtime,
            'registry_health_wait': registry_health_wait,
            'registry_health_check': registry_health_check,
            'registry_s3_health_uri': registry_s3_health_uri,
        }
