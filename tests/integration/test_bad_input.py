# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input, one value at a time, against a real target: refused before anything changes, with a clear message.

Every case runs playbooks/site.yml (or one role alone, tests/integration/files/role_<name>.yml) on a
throw-away container with a valid set of variables in which ONE value is wrong, and checks:
- the play failed on the target (failed=1) and nothing changed there (changed=0);
- the failing task is a validation task: in site.yml's first play, from that play itself, a role's
  tasks/validate.yml or playbooks/tasks/check_provided_tls.yml; for a role alone, the role's automatic
  argument spec check or its tasks/validate.yml; and no task of any other play ran;
- the error message names the variable and what is allowed (a regex per case).
The control cases prove that the valid variables pass the validation play, so every bad case fails
for its own reason.
Run: . scripts/lib.sh && pytest -p no:xdist tests/integration/test_bad_input.py (about 3 minutes; the
fixtures are per-worker safe, but on 2 cores `-n 2` is slower than one process).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, 'files')
SITE = os.path.join(ROOT, 'playbooks', 'site.yml')
VALIDATE_PLAY = 'Validate every setting before anything changes'
SITE_VALIDATION_FILES = ('playbooks/site.yml', 'playbooks/tasks/check_provided_tls.yml')
ROLE_VALIDATE_RE = re.compile(r'^roles/(docker|registry|nginx|letsencrypt)/tasks/validate\.yml$')
DELETE = '@DELETE@'   # a case's value for "this variable is not set at all"
TLS = '@TLS@'        # replaced by the directory of the generated certificate and keys

BASE = {
    'registry_domain': 'registry.example.com',
    'registry_tls': 'selfsigned',
    'registry_storage': 'filesystem',
    'registry_users': [{'name': 'alice', 'password': 'correct horse battery staple'}],
}
LETSENCRYPT = {'registry_tls': 'letsencrypt', 'letsencrypt_email': 'hostmaster@example.com'}
PROVIDED = {'registry_tls': 'provided', 'registry_tls_certificate': TLS + '/cert.pem',
            'registry_tls_private_key': TLS + '/key.pem'}
S3 = {'registry_storage': 's3', 'registry_s3_bucket': 'team-registry', 'registry_s3_region': 'eu-west-1'}

DOMAIN_MSG = r"registry_domain must be a lower-case DNS name such as registry\.example\.com, without scheme, port or path; got "
USERS_MSG = r'registry_users must be a list of dictionaries with name, password and state, such as .*; '
USER = {'name': 'alice', 'password': 'pw'}


def case(case_id, changes, regex, host='target'):
    return pytest.param(changes, regex, host, id=case_id)


def merge(changes):
    result = copy.deepcopy(BASE)
    result.update(copy.deepcopy(changes))
    return result


CASES = [
    case('domain-missing', {'registry_domain': DELETE}, r'missing required arguments: registry_domain'),
    case('domain-empty', {'registry_domain': ''}, DOMAIN_MSG + "''"),
    case('domain-with-scheme', {'registry_domain': 'https://registry.example.com'}, DOMAIN_MSG + r"'https://registry\.example\.com'"),
    case('domain-with-path', {'registry_domain': 'registry.example.com/v2'}, DOMAIN_MSG + r"'registry\.example\.com/v2'"),
    case('domain-with-port', {'registry_domain': 'registry.example.com:443'}, DOMAIN_MSG + r"'registry\.example\.com:443'"),
    case('domain-wildcard', {'registry_domain': '*.example.com'}, DOMAIN_MSG + r"'\*\.example\.com'"),
    case('domain-not-a-string', {'registry_domain': ['registry.example.com']}, DOMAIN_MSG + r"'\['registry\.example\.com'\]'"),
    case('s3-without-bucket', dict(S3, registry_s3_bucket=DELETE), r'registry_storage is s3, so set registry_s3_bucket \(the bucket name\)'),
    case('s3-without-region', dict(S3, registry_s3_region=''), r'registry_storage is s3, so set registry_s3_region \(the region of the bucket'),
    case('s3-access-key-without-secret', dict(S3, registry_s3_access_key='AKIAEXAMPLE'),
         r'set registry_s3_access_key and registry_s3_secret_key together, or neither'),
    case('s3-secret-without-access-key', dict(S3, registry_s3_secret_key='secret'),
         r'set registry_s3_access_key and registry_s3_secret_key together, or neither'),
    case('s3-endpoint-not-a-url', dict(S3, registry_s3_endpoint='minio.example.com:9000'),
         r"registry_s3_endpoint must be an http\(s\) URL without a path, such as https://minio\.example\.com:9000; got 'minio\.example\.com:9000'"),
    case('s3-endpoint-with-path', dict(S3, registry_s3_endpoint='https://minio.example.com/team-registry'),
         r"registry_s3_endpoint must be an http\(s\) URL without a path.*; got 'https://minio\.example\.com/team-registry'"),
    case('storage-unknown', {'registry_storage': 'gcs'}, r'value of registry_storage must be one of: filesystem, s3, got: gcs'),
    case('cache-redis-without-addr', {'registry_cache': 'redis'}, r'registry_cache is redis: set registry_redis_addr \(host:port\)'),
    case('cache-redis-addr-without-port', {'registry_cache': 'redis', 'registry_redis_addr': 'redis.example.com'},
         r"registry_cache is redis: set registry_redis_addr \(host:port\); got 'redis\.example\.com'"),
    case('image-empty', {'registry_image': ''}, r"registry_image must be an image reference such as registry:2; got ''"),
    case('purging-age-not-a-duration', {'registry_uploadpurging_age': '7 days'},
         r"registry_uploadpurging_age must be a duration such as 90s, 30m, 24h or 1h30m; got '7 days'"),
    case('port-out-of-range', {'registry_port': 70000}, r'registry_port must be a TCP port from 1 to 65535, not 70000'),
    case('image-archive-missing', {'registry_image_archive': '/nonexistent/registry-2.tar'},
         r"registry_image_archive '/nonexistent/registry-2\.tar' does not exist on the controller"),
    case('tls-unknown', {'registry_tls': 'acme'}, r"registry_tls must be letsencrypt, selfsigned or provided; got 'acme'"),
    case('letsencrypt-without-email', dict(LETSENCRYPT, letsencrypt_email=DELETE), r'missing required arguments: letsencrypt_email'),
    case('letsencrypt-email-invalid', dict(LETSENCRYPT, letsencrypt_email='hostmaster'),
         r"letsencrypt_email must be an e-mail address \(name@domain\.tld\), not 'hostmaster'"),
    case('letsencrypt-directory-not-a-url', dict(LETSENCRYPT, letsencrypt_acme_directory='acme.example.com/directory'),
         r"letsencrypt_acme_directory must be an http\(s\):// URL, not 'acme\.example\.com/directory'"),
    case('letsencrypt-ca-bundle-missing', dict(LETSENCRYPT, letsencrypt_ca_bundle='/nonexistent/ca.pem'),
         r"letsencrypt_ca_bundle must be a PEM file of CA certificates on the controller: '/nonexistent/ca\.pem'"),
    case('provided-without-key', dict(PROVIDED, registry_tls_private_key=DELETE),
         r'registry_tls is provided, so set registry_tls_certificate and registry_tls_private_key'),
    case('provided-without-certificate', dict(PROVIDED, registry_tls_certificate=''),
         r'registry_tls is provided, so set registry_tls_certificate and registry_tls_private_key'),
    case('provided-certificate-not-found', dict(PROVIDED, registry_tls_certificate=TLS + '/missing.pem'),
         r'registry_tls_certificate \(.*/missing\.pem\) is not a readable file on the controller with a PEM certificate'),
    case('provided-certificate-not-pem', dict(PROVIDED, registry_tls_certificate=TLS + '/key.pem'),
         r'registry_tls_certificate \(.*/key\.pem\) is not a readable file on the controller with a PEM certificate'),
    case('provided-key-not-found', dict(PROVIDED, registry_tls_private_key=TLS + '/missing.pem'),
         r'registry_tls_private_key \(.*/missing\.pem\) is not a readable file on the controller with an unencrypted PEM private key'),
    case('provided-key-mismatch', dict(PROVIDED, registry_tls_private_key=TLS + '/other-key.pem'),
         r'registry_tls_private_key \(.*/other-key\.pem\) does not match registry_tls_certificate \(.*/cert\.pem\)'),
    case('users-a-string', {'registry_users': 'alice'}, USERS_MSG + r'it is a single string'),
    case('user-not-a-dict', {'registry_users': [USER, 'alice']}, USERS_MSG + r'1 of its entries are not dictionaries'),
    case('user-name-empty', {'registry_users': [dict(USER, name='')]}, r'registry_users: a user name is empty; give every user a non-empty name'),
    case('user-name-with-colon', {'registry_users': [dict(USER, name='ali:ce')]}, r"registry_users: user name 'ali:ce' contains ':'"),
    case('users-duplicate', {'registry_users': [USER, dict(USER, password='other')]},
         r"registry_users: user 'alice' is listed 2 times in users; list each user once"),
    case('user-unknown-key', {'registry_users': [{'name': 'alice', 'pasword': 'pw'}]},
         r'registry_users\[0\] has unknown keys pasword; allowed: name, password, state'),
    case('user-state-unknown', {'registry_users': [dict(USER, state='gone')]}, r"registry_users\[0\]: state must be present or absent, not 'gone'"),
    case('password-missing', {'registry_users': [{'name': 'alice'}]}, r"registry_users: user 'alice': a password is required with state=present"),
    case('password-empty', {'registry_users': [dict(USER, password='')]}, r"registry_users: user 'alice': the password is empty"),
    case('password-73-bytes', {'registry_users': [dict(USER, password='a' * 73)]},
         r"registry_users: user 'alice': the password is 73 bytes long .* use a password of at most 72 bytes"),
    case('cost-3', {'registry_htpasswd_cost': 3}, r'registry_htpasswd_cost must be an integer from 4 to 31, not 3'),
    case('cost-32', {'registry_htpasswd_cost': 32}, r'registry_htpasswd_cost must be an integer from 4 to 31, not 32'),
    case('cost-not-an-integer', {'registry_htpasswd_cost': 'ten'}, r"argument 'registry_htpasswd_cost' is of type str and we were unable to convert to int"),
    case('os-family-unsupported', {}, r'The docker role does not support the OS family Gentoo \(Gentoo\); supported OS families: Debian, RedHat',
         host='gentoo'),
    case('docker-daemon-sets-hosts', {'docker_daemon_options_extra': {'hosts': ['tcp://0.0.0.0:2375']}},
         r'docker_daemon_options\(_extra\) must not set "hosts"'),
    case('docker-user-unknown', {'docker_users': ['nosuchuser']}, r'docker_users names users that do not exist on this host: nosuchuser'),
]

# Each role alone in someone else's playbook (tests/integration/files/role_<name>.yml), only its own variables.
ROLE_CASES = [
    case('registry-domain-missing', ('registry', {}), r'missing required arguments: registry_domain'),
    case('nginx-server-name-missing', ('nginx', {}), r'missing required arguments: nginx_server_name'),
    case('letsencrypt-email-missing', ('letsencrypt', {'letsencrypt_domains': ['registry.example.com']}),
         r'missing required arguments: letsencrypt_email'),
    case('registry-domain-with-scheme', ('registry', {'registry_domain': 'https://registry.example.com'}),
         DOMAIN_MSG + r"'https://registry\.example\.com'"),
    case('nginx-certificate-src-not-found', ('nginx', {'nginx_server_name': 'registry.example.com', 'nginx_tls_certificate_src': '/nonexistent/cert.pem',
                                                       'nginx_tls_private_key_src': TLS + '/key.pem'}),
         r'nginx_tls_certificate_src \(/nonexistent/cert\.pem\) is not a readable file on the controller with a PEM certificate'),
    case('nginx-upstream-bad', ('nginx', {'nginx_server_name': 'registry.example.com', 'nginx_upstream': 'registry'}),
         r"nginx_upstream must be host:port, \[IPv6\]:port or unix:/path; got 'registry'"),
    case('letsencrypt-wildcard', ('letsencrypt', {'letsencrypt_domains': ['*.example.com'], 'letsencrypt_email': 'hostmaster@example.com'}),
         r"letsencrypt_domains must be a non-empty list of fully qualified host names, without scheme, port, path or wildcard"),
    case('docker-os-family-unsupported', ('docker', {}), r'The docker role does not support the OS family Gentoo', host='gentoo'),
]

CONTROLS = [
    pytest.param({}, id='selfsigned-filesystem'),
    pytest.param(LETSENCRYPT, id='letsencrypt'),
    pytest.param(PROVIDED, id='provided'),
    pytest.param(dict(S3, registry_s3_endpoint='https://minio.example.com:9000', registry_s3_access_key='AKIAEXAMPLE',
                      registry_s3_secret_key='secret'), id='s3-with-keys'),
    pytest.param({'registry_cache': 'redis', 'registry_redis_addr': 'redis.example.com:6379', 'registry_port': 5001,
                  'registry_htpasswd_cost': 4}, id='redis-port-cost'),
    # Booleans as the strings an AWX multiple-choice answer or `-e key=value` gives: the roles take them.
    pytest.param({'docker_use_upstream_repo': 'false', 'registry_delete_enabled': 'true', 'registry_readonly': 'false',
                  'letsencrypt_renewal_timer_enabled': 'true', 'nginx_ssl_stapling': 'false'}, id='booleans-as-strings'),
]


def resolve(variables, tls_dir):
    """Drop DELETE values and put the TLS directory into paths."""
    result = {}
    for key, value in variables.items():
        if value == DELETE:
            continue
        if isinstance(value, str):
            value = value.replace(TLS, tls_dir)
        result[key] = value
    return result


def message_of(failure):
    result = failure['result']
    return result.get('msg') or result.get('message') or str(result)


def check_refused(run, host, play, regex, allowed_task):
    assert run.returncode == 2, run.report()
    assert run.recap.get(host) == dict(run.recap.get(host, {}), changed=0, unreachable=0, failed=1), run.report()
    assert len(run.failures) == 1, run.report()
    failure = run.failures[0]
    assert failure['play'] == play, run.report()
    assert allowed_task(failure), 'the failing task is not a validation task: %r' % (failure,)
    assert [task for task in run.tasks if task[0] != play] == [], run.report()
    assert re.search(regex, message_of(failure)), 'message %r does not match %r' % (message_of(failure), regex)


def is_site_validation_task(failure):
    return failure['path'] in SITE_VALIDATION_FILES or bool(ROLE_VALIDATE_RE.match(failure['path'] or ''))


@pytest.mark.parametrize('changes, regex, host', CASES)
def test_site_refuses_bad_input(changes, regex, host, targets, tls_files, run_playbook):
    run = run_playbook(SITE, targets[host], resolve(merge(changes), tls_files))
    check_refused(run, targets[host], VALIDATE_PLAY, regex, is_site_validation_task)


@pytest.mark.parametrize('role_and_vars, regex, host', ROLE_CASES)
def test_role_alone_refuses_bad_input(role_and_vars, regex, host, targets, tls_files, run_playbook):
    role, variables = role_and_vars
    run = run_playbook(os.path.join(FILES, 'role_%s.yml' % role), targets[host], resolve(variables, tls_files))

    def is_role_validation_task(failure):
        return (failure['task'] == "dockyard.registry.%s : Validating arguments against arg spec 'main'" % role
                or failure['task'].startswith("dockyard.registry.%s : Validating arguments against arg spec 'main' - " % role)
                or failure['path'] == 'roles/%s/tasks/validate.yml' % role)

    check_refused(run, targets[host], 'Use the %s role alone' % role, regex, is_role_validation_task)


@pytest.mark.parametrize('changes', CONTROLS)
def test_valid_input_passes_validation(changes, targets, tls_files, validate_only_playbook, run_playbook):
    """The base of every case passes site.yml's validation play: the cases fail for their own reasons."""
    host = targets['target']
    run = run_playbook(validate_only_playbook, host, resolve(merge(changes), tls_files))
    assert run.returncode == 0, run.report()
    assert run.recap.get(host) == dict(run.recap.get(host, {}), changed=0, unreachable=0, failed=0), run.report()
    assert run.failures == [], run.report()
    assert set(play for play, task in run.tasks) == set([VALIDATE_PLAY]), run.report()
