# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input against a real target: refused before anything changes, every problem reported, with a clear message.

Every run goes through ansible-runner (tests/integration/conftest.py) and is read from its events
(plays and tasks started, failed tasks and loop items with their results, the per-host stats), on
throw-away containers: a Debian 12 target and one that looks like Gentoo.

- Site cases run playbooks/validate.yml (what site.yml imports first) with a valid set of variables in
  which one value is wrong, or several at once; a few run the whole playbooks/site.yml. Each asserts: the
  run failed (rc 2) and only the play "Check every setting before anything changes" started (with
  site.yml: the deploy play never started); every task that started is a validation task (that play's own,
  or a role's `validate` entry point: its argument spec check, roles/<role>/tasks/validate.yml or
  roles/nginx/tasks/check_tls_pair.yml); on each host changed=0 and failures=1, the one unrescued failure
  is "Stop with every problem found" and every other failure is a rescued one inside a role's validate
  entry point, rescued exactly as many times as the stats say; the final message lists exactly the
  problems those failures reported, and matches the case's regexes (each names the variable and what it
  allows). One case runs on both hosts at once: each gets its own list.
- Role cases use one role alone in someone else's playbook (tests/integration/files/role_<name>.yml) with
  only its own variables: the one failure is the role's automatic argument spec check (entry point main)
  or a task of its tasks/validate.yml (or check_tls_pair.yml), nothing else of the role ran, changed=0,
  and the message matches.
- Controls prove that the valid variables pass playbooks/validate.yml (failures=0, changed=0, only
  validation tasks), so every bad case fails for its own reason; they include the names each TLS mode takes.

The table, 154 cases: 116 site cases (112 through validate.yml, 3 through site.yml, 1 on both hosts; several of them
with several independent problems in one run), 19 role cases and 19 controls (issue 13 added the access cases, issue 14 the
retention ones, issue 15 the per-user bcrypt cost's and the robots').
Run: . scripts/lib.sh && pytest -p no:xdist tests/integration/test_bad_input.py (one playbook run of 5 to 10 s
per case: about 11 minutes on 2 cores with Molecule running beside it; the fixtures are per-worker safe,
but on 2 cores `-n 2` is slower than one process).
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
VALIDATE = os.path.join(ROOT, 'playbooks', 'validate.yml')
SITE = os.path.join(ROOT, 'playbooks', 'site.yml')
VALIDATE_PLAY = 'Check every setting before anything changes'
STOP_TASK = 'Stop with every problem found'
STOP_HEADER = 'Nothing was changed. Fix these settings:'
# The validate play's own tasks (gather facts, the loop over check_role.yml, its block and rescue, the stop).
VALIDATE_PLAY_FILES = ('playbooks/validate.yml', 'playbooks/tasks/check_role.yml')
ROLE_CHECK_FILE_RE = re.compile(r'^roles/(?P<role>site|docker|registry|nginx|letsencrypt)/tasks/validate\.yml$'
                                r'|^roles/(?P<tls_role>nginx)/tasks/check_tls_pair\.yml$')
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

DOMAIN_MSG = (r"registry_domain must be a lower-case DNS name such as registry\.example\.com, or an IP address, "
              r"without scheme, port or path; got ")
LE_DOMAIN_MSG = (r"registry_domain must be a public DNS name such as registry\.example\.com with registry_tls letsencrypt "
                 r"\(Let's Encrypt issues certificates for nothing else; selfsigned or provided also take localhost, "
                 r"a private name or an IP address\); got ")
LE_DOMAINS_MSG = (r"letsencrypt_domains must be a non-empty list of public DNS names such as registry\.example\.com, "
                  r"without scheme, port, path or wildcard .*; not such names: ")
USERS_MSG = r'registry_users must be a list of dictionaries with name, password and state, such as .*; '
HOSTS_MSG = r'docker_daemon_options\(_extra\) must not set "hosts"'
DOCKER_OS_MSG = r'The docker role does not support the OS family Gentoo \(Gentoo\); supported OS families: Debian, RedHat'
NGINX_OS_MSG = r'The nginx role supports the Debian \(Debian, Ubuntu\) and RedHat \(.*\) OS families, not Gentoo'
LETSENCRYPT_OS_MSG = r'The letsencrypt role supports the OS families Debian, RedHat, not Gentoo'
PURGING_AGE_MSG = r"registry_uploadpurging_age must be a duration such as 90s, 30m, 24h or 1h30m; got '7 days'"
PORT_MSG = r'registry_port must be a TCP port from 1 to 65535, not 70000'
UPSTREAM_70000_MSG = r"nginx_upstream must be host:port, \[IPv6\]:port or unix:/path; got '127\.0\.0\.1:70000'"
USER = {'name': 'alice', 'password': 'pw'}
# The access keys' messages name the entry: registry_users[index] ('name') (plugins/module_utils/access.py).
ACCESS_MSG = r"registry_users\[%d\] \('alice'\): "
NOT_A_PATTERN_MSG = (r"is not a repository name or pattern: lower-case letters and digits, joined by \. _ __ or -, in components "
                     r"separated by /, with \* for any part \(such as team-a/\* or tools/builder\); no '\.\.'")
IMAGE_MSG = (r"registry_image must be an image reference such as registry:3\.1\.1, mirror\.example\.com/library/registry:3\.1\.1 or "
             r"registry:3\.1\.1@sha256:<64 hex digits> \(a lower-case name, no scheme, no spaces\); got ")
BIND_MSG = (r"registry_bind_address must be a loopback address such as 127\.0\.0\.1 or ::1, so that nginx is the only way in; "
            r"got '%s', which would publish the registry's plain-HTTP port, without nginx's TLS and limits, beyond this host\. "
            r"Set registry_bind_address_public: true if that is what you want")
MEMORY_MSG = (r"registry_memory_limit must be a memory size of at least 6m \(Docker's minimum\) such as 512m or 2g: a whole number "
              r"with an optional unit b, k, m, g or t \(powers of 1024\); got ")
# The example inventory's published values refused as passwords (%s: the user's name); never the password itself.
PUBLISHED_MSG = (r"registry_users: user '%s': the password is a value published with the example inventory "
                 r"\(inventory/group_vars/registry/vault\.yml or its vault password\), which anyone can read: set a secret of your "
                 r"own in your vault \(ansible-vault edit inventory/group_vars/registry/vault\.yml\), and re-encrypt the vault "
                 r"with a password of your own \(ansible-vault rekey")


# Retention rules that pass, with their admin (the cases above change one thing each).
RETENTION = {'registry_users': [USER, {'name': 'reaper', 'password': 'pw-reaper', 'access': 'admin'}],
             'registry_delete_enabled': True, 'registry_retention_user': 'reaper',
             'registry_retention_rules': [{'repository': 'app-*', 'keep_last': 2, 'keep_tags': ['^v']}]}

# Robots that pass (issue 15), with a secrets directory this user may create (validation only checks it).
ROBOT = {'name': 'ci-builder', 'access': 'push', 'repositories': ['team-a/*'], 'expires': '2099-12-31'}
ROBOTS = {'registry_robots': [ROBOT, {'name': 'ci-puller', 'access': 'pull'}],
          'registry_robot_secrets_dir': '/tmp/dockyard-bad-input/robots'}


def case(case_id, changes, regexes, host='target'):
    """A case: the changes to BASE, the regex (or regexes, all of which must match) of the message, the host."""
    return pytest.param(changes, [regexes] if isinstance(regexes, str) else list(regexes), host, id=case_id)


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
    case('domain-not-a-string', {'registry_domain': ['registry.example.com']},
         [DOMAIN_MSG + r"'\['registry\.example\.com'\]'", r'registry_domain must be a string; got a list']),
    # The names each TLS mode takes (the selfsigned ones are controls below).
    case('domain-upper-case', {'registry_domain': 'Registry.Example.com'}, DOMAIN_MSG + r"'Registry\.Example\.com'"),
    case('letsencrypt-domain-upper-case', dict(LETSENCRYPT, registry_domain='Registry.Example.com'),
         # Not a name any TLS mode serves: the registry role says so (the site's rule is only about the TLS mode).
         [DOMAIN_MSG + r"'Registry\.Example\.com'", LE_DOMAINS_MSG + r".*'Registry\.Example\.com'"]),
    case('letsencrypt-domain-localhost', dict(LETSENCRYPT, registry_domain='localhost'), LE_DOMAIN_MSG + r"'localhost'"),
    case('letsencrypt-domain-ip-address', dict(LETSENCRYPT, registry_domain='10.0.0.5'), LE_DOMAIN_MSG + r"'10\.0\.0\.5'"),
    case('letsencrypt-domain-single-label', dict(LETSENCRYPT, registry_domain='registry'), LE_DOMAIN_MSG + r"'registry'"),
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
    case('image-empty', {'registry_image': ''}, IMAGE_MSG + "''"),
    case('purging-age-not-a-duration', {'registry_uploadpurging_age': '7 days'}, PURGING_AGE_MSG),
    case('port-out-of-range', {'registry_port': 70000}, [PORT_MSG, UPSTREAM_70000_MSG]),
    case('image-archive-missing', {'registry_image_archive': '/nonexistent/registry-2.tar'},
         r"registry_image_archive '/nonexistent/registry-2\.tar' does not exist on the controller"),
    case('tls-unknown', {'registry_tls': 'acme'}, r'value of registry_tls must be one of: letsencrypt, selfsigned, provided, got: acme'),
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
    # A user's own cost (issue 15): the same rule, named by the entry (the list's elements are raw: the filter checks it).
    case('user-cost-3', {'registry_users': [dict(USER, cost=3)]},
         r"registry_users\[0\] \('alice'\) cost must be an integer from 4 to 31, not 3; 10 \(the default\) or 11-12 at most"),
    case('user-cost-not-an-integer', {'registry_users': [USER, {'name': 'robot', 'password': 'pw-robot', 'cost': 'ten'}]},
         r"registry_users\[1\] \('robot'\) cost must be an integer from 4 to 31, not 'ten'"),
    case('os-family-unsupported', {}, [DOCKER_OS_MSG, NGINX_OS_MSG], host='gentoo'),
    case('letsencrypt-os-family-unsupported', LETSENCRYPT, [DOCKER_OS_MSG, NGINX_OS_MSG, LETSENCRYPT_OS_MSG], host='gentoo'),
    case('docker-daemon-sets-hosts', {'docker_daemon_options_extra': {'hosts': ['tcp://0.0.0.0:2375']}}, HOSTS_MSG),
    case('docker-user-unknown', {'docker_users': ['nosuchuser']}, r'docker_users names users that do not exist on this host: nosuchuser'),
    # Several independent problems in one run: every one is in the single final message.
    case('four-problems-at-once', {'registry_domain': 'https://registry.example.com',
                                   'docker_daemon_options_extra': {'hosts': ['tcp://0.0.0.0:2375']},
                                   'registry_uploadpurging_age': '7 days', 'registry_port': 70000},
         [DOMAIN_MSG + r"'https://registry\.example\.com'", HOSTS_MSG, PURGING_AGE_MSG, PORT_MSG, UPSTREAM_70000_MSG]),
    case('letsencrypt-problems-at-once', dict(LETSENCRYPT, registry_domain='localhost', letsencrypt_email='hostmaster',
                                              registry_users=[dict(USER, name='ali:ce')], docker_users=['nosuchuser']),
         [LE_DOMAIN_MSG + r"'localhost'", LE_DOMAINS_MSG + r"\['localhost'\]",
          r"letsencrypt_email must be an e-mail address \(name@domain\.tld\), not 'hostmaster'",
          r"registry_users: user name 'ali:ce' contains ':'", r'docker_users names users that do not exist on this host: nosuchuser']),
    # Hardening (issue 12): Docker's repository over https with its key pinned; the example vault's published values;
    # a trailing newline refused wherever a string rule applies.
    case('docker-upstream-url-http', {'docker_upstream_repo_url': 'http://download.docker.com/linux'},
         r"docker_upstream_repo_url must be an https:// URL such as https://download\.docker\.com/linux \(Docker's repository or a "
         r"mirror of it: its signing key and packages come from there\); got 'http://download\.docker\.com/linux'"),
    case('docker-key-fingerprint-short', {'docker_upstream_repo_deb_key_fingerprint': '0EBF CD88'},
         r"docker_upstream_repo_deb_key_fingerprint must be an OpenPGP key fingerprint, 40 hex digits \(64 for a version 6 key\), "
         r"optionally in groups separated by spaces, such as 9DC8 5822 .*; got '0EBF CD88'"),
    case('users-example-vault-placeholders', {'registry_users': [{'name': 'ci', 'password': 'change-me-ci-password'},
                                                                 {'name': 'alice', 'password': 'change-me-alice-password'}]},
         [PUBLISHED_MSG % 'ci', PUBLISHED_MSG % 'alice']),
    case('user-password-example-vault-password', {'registry_users': [{'name': 'alice', 'password': 'change-this-vault-password'}]},
         PUBLISHED_MSG % 'alice'),
    case('domain-trailing-newline', {'registry_domain': 'registry.example.com\n'}, DOMAIN_MSG + r"'registry\.example\.com\n'"),
    case('letsencrypt-email-trailing-newline', dict(LETSENCRYPT, letsencrypt_email='hostmaster@example.com\n'),
         r"letsencrypt_email must be an e-mail address \(name@domain\.tld\), not 'hostmaster@example\.com\n'"),
    case('purging-age-trailing-newline', {'registry_uploadpurging_age': '168h\n'},
         r"registry_uploadpurging_age must be a duration such as 90s, 30m, 24h or 1h30m; got '168h\n'"),
    case('nginx-body-size-trailing-newline', {'nginx_client_max_body_size': '10g\n'},
         r'nginx_client_max_body_size is a size like 0 \(no limit\), 512m or 10g'),
    # nginx's per-address limits and client timeouts (issue 12).
    case('nginx-limit-rate-zero', {'nginx_limit_req_rate': 0},
         r'nginx_limit_req_rate \(requests a second per client address\) and nginx_limit_conn \(requests in progress per client '
         r'address\) must be at least 1, nginx_limit_req_burst at least 0; got 0, 32 and 150'),
    case('nginx-limit-burst-negative', {'nginx_limit_req_burst': -1}, r'nginx_limit_req_burst at least 0; got 10, 32 and -1'),
    case('nginx-limit-conn-zero', {'nginx_limit_conn': 0}, r'nginx_limit_conn \(requests in progress .* got 10, 0 and 150'),
    case('nginx-limit-conn-not-a-number', {'nginx_limit_conn': 'many'},
         r"argument 'nginx_limit_conn' is of type str and we were unable to convert to int"),
    case('nginx-timeouts-zero', {'nginx_client_header_timeout': 0, 'nginx_client_body_timeout': 0},
         r'nginx_client_header_timeout and nginx_client_body_timeout are seconds, at least 1; got 0 and 0'),
    case('nginx-listen-ipv6-not-a-boolean', {'nginx_listen_ipv6': 'maybe'},
         r"argument 'nginx_listen_ipv6' is of type str and we were unable to convert to bool"),
    # The registry role's new rules (issue 12): an image reference, the dialect override, a loopback bind address
    # unless opted out, an https S3 endpoint unless opted out, the container's limits.
    case('image-upper-case', {'registry_image': 'Registry:3.1.1'}, IMAGE_MSG + r"'Registry:3\.1\.1'"),
    case('image-with-scheme', {'registry_image': 'https://registry.example.com/registry:3'},
         IMAGE_MSG + r"'https://registry\.example\.com/registry:3'"),
    case('image-short-digest', {'registry_image': 'registry@sha256:0123abcd'}, IMAGE_MSG + r"'registry@sha256:0123abcd'"),
    case('image-trailing-newline', {'registry_image': 'registry:3.1.1\n'}, IMAGE_MSG + r"'registry:3\.1\.1\n'"),
    case('config-dialect-unknown', {'registry_config_dialect': '4'},
         r'value of registry_config_dialect must be one of: auto, 2, 3, got: 4'),
    case('bind-address-public-without-opt-in', {'registry_bind_address': '0.0.0.0'}, BIND_MSG % r'0\.0\.0\.0'),
    case('bind-address-private-without-opt-in', {'registry_bind_address': '10.0.0.5'}, BIND_MSG % r'10\.0\.0\.5'),
    case('bind-address-a-name', {'registry_bind_address': 'localhost'},
         r"registry_bind_address must be an IP address \(Docker publishes the registry's port on an address, not a name\), such "
         r"as 127\.0\.0\.1 or ::1; got 'localhost'"),
    case('s3-http-endpoint-without-opt-in', dict(S3, registry_s3_endpoint='http://minio.example.com:9000'),
         r"registry_s3_endpoint 'http://minio\.example\.com:9000' is plain HTTP: the registry's S3 requests and the pre-signed URLs "
         r"it sends clients for layers would cross the network unencrypted; use an https:// endpoint, or set "
         r"registry_s3_allow_http: true to accept that"),
    case('memory-limit-not-a-size', {'registry_memory_limit': '1.5g'}, MEMORY_MSG + r"'1\.5g'"),
    case('memory-limit-gib', {'registry_memory_limit': '1GiB'}, MEMORY_MSG + r"'1GiB'"),
    case('memory-limit-below-docker-minimum', {'registry_memory_limit': '4m'}, MEMORY_MSG + r"'4m'"),
    case('pids-limit-unlimited', {'registry_pids_limit': -1},
         r"registry_pids_limit must be at least 1 \(the most processes and threads the registry container may run; Docker's -1, "
         r"no limit, is not offered\); got -1"),
    # Access levels and repository patterns (issue 13): each refused entry is named as registry_users[index] ('name').
    case('user-access-unknown', {'registry_users': [dict(USER, access='write')]},
         ACCESS_MSG % 0 + r"access must be one of pull, push, admin, not 'write'"),
    case('user-access-upper-case', {'registry_users': [dict(USER, access='Pull')]},
         ACCESS_MSG % 0 + r"access must be one of pull, push, admin, not 'Pull'"),
    case('user-pattern-empty', {'registry_users': [dict(USER, repositories=[''])]}, ACCESS_MSG % 0 + r"repositories\[0\] '' is empty"),
    case('user-pattern-dot-dot', {'registry_users': [dict(USER, repositories=['team-a/*', '..'])]},
         ACCESS_MSG % 0 + r"repositories\[1\] '\.\.' " + NOT_A_PATTERN_MSG),
    case('user-pattern-upper-case', {'registry_users': [dict(USER, repositories=['Team-A/*'])]},
         ACCESS_MSG % 0 + r"repositories\[0\] 'Team-A/\*' has upper-case letters: repository names are lower case"),
    case('user-pattern-with-scheme', {'registry_users': [dict(USER, repositories=['https://x/app'])]},
         ACCESS_MSG % 0 + r"repositories\[0\] 'https://x/app' has a scheme: give the repository path only"),
    case('user-pattern-empty-component', {'registry_users': [dict(USER, repositories=['a//b'])]},
         ACCESS_MSG % 0 + r"repositories\[0\] 'a//b' " + NOT_A_PATTERN_MSG),
    # The second entry is the wrong one: the index and the name say which.
    case('user-admin-with-repositories', {'registry_users': [USER, {'name': 'root', 'password': 'pw', 'access': 'admin',
                                                                    'repositories': ['team-a/*']}]},
         r"registry_users\[1\] \('root'\): repositories cannot limit an admin user"),
    case('user-repositories-a-string', {'registry_users': [dict(USER, repositories='team-a/*')]},
         ACCESS_MSG % 0 + r"repositories must be a list of patterns such as \[team-a/\*, tools/builder\], not a string"),
    case('user-repositories-empty', {'registry_users': [dict(USER, repositories=[])]},
         ACCESS_MSG % 0 + r"repositories is an empty list, which would allow no repository at all"),
    # Duplicate users are the htpasswd rules' (users-duplicate above); also when the two entries give different access.
    case('users-duplicate-different-access', {'registry_users': [dict(USER, access='pull'), dict(USER, password='other', access='admin')]},
         r"registry_users: user 'alice' is listed 2 times in users; list each user once"),
    case('user-access-problems-at-once', {'registry_users': [dict(USER, access='write', repositories=['..']),
                                                             {'name': 'bob', 'password': 'pw', 'repositories': 'team-b/*'}]},
         [ACCESS_MSG % 0 + r"access must be one of pull, push, admin, not 'write'", ACCESS_MSG % 0 + r"repositories\[0\] '\.\.' ",
          r"registry_users\[1\] \('bob'\): repositories must be a list of patterns"]),
    # The example vault's S3 key pair, refused like its passwords; the message names the variables, never the values.
    case('s3-keys-example-vault', dict(S3, registry_s3_access_key='AKIAEXAMPLEEXAMPLE00',
                                       registry_s3_secret_key='example/secret/key/change/me'),
         [r"registry_s3_access_key is a value published with the example inventory \(inventory/group_vars/registry/vault\.yml "
          r"or its vault password\), which anyone can read: set a secret of your own in your vault",
          r"registry_s3_secret_key is a value published with the example inventory"]),
    # Retention rules (issue 14): the registry_prune module's checks, named as the role's variables.
    case('retention-rule-without-pattern', dict(RETENTION, registry_retention_rules=[{'keep_last': 2}]),
         r'registry_retention_rules\[0\] has no repository: give a repository name or pattern such as team-a/\* or \*'),
    case('retention-keep-last-zero', dict(RETENTION, registry_retention_rules=[{'repository': 'app-*', 'keep_last': 0}]),
         r"registry_retention_rules\[0\] \(app-\*\): keep_last must be a whole number of 1 or more, not 0"),
    case('retention-regex-does-not-compile',
         dict(RETENTION, registry_retention_rules=[{'repository': 'app-*', 'keep_last': 2, 'keep_tags': ['^v[0-9']}]),
         r"registry_retention_rules\[0\] \(app-\*\): keep_tags\[0\] '\^v\[0-9' is not a regular expression"),
    case('retention-duration-not-one', dict(RETENTION, registry_retention_rules=[{'repository': 'app-*', 'older_than': '2 weeks'}]),
         r"registry_retention_rules\[0\] \(app-\*\): older_than '2 weeks' is not a duration: give one or more whole numbers"),
    case('retention-user-not-admin', dict(RETENTION, registry_retention_user='alice'),
         r"registry_retention_user 'alice' has access push in registry_users: retention deletes manifests, give it access admin"),
    case('retention-without-delete', dict(RETENTION, registry_delete_enabled=False),
         r'registry_retention_rules need registry_delete_enabled: true'),
    case('retention-problems-at-once',
         dict(RETENTION, registry_retention_user='', registry_retention_rules=[{'repository': 'a', 'keep_last': 0}, 'app']),
         [r'registry_retention_rules\[0\] \(a\): keep_last must be', r'registry_retention_rules\[1\] must be a dictionary',
          r'registry_retention_user is required with registry_retention_rules']),
    case('robot-name-is-a-user', dict(ROBOTS, registry_robots=[ROBOT, {'name': 'alice', 'access': 'pull'}]),
         r"registry_robots\[1\] \('alice'\) has the name of registry_users\[0\] \('alice'\): a robot and a user cannot"
         r" share a name \(one htpasswd file holds both\); rename one of them"),
    case('robot-expires-not-a-date', dict(ROBOTS, registry_robots=[dict(ROBOT, expires='next year')]),
         r"registry_robots\[0\] \('ci-builder'\): expires must be a date such as 2027-06-30 \(YYYY-MM-DD, the robot's last"
         r" day\), not 'next year'"),
    case('robot-expires-not-a-day', dict(ROBOTS, registry_robots=[dict(ROBOT, expires='2027-02-30')]),
         r"registry_robots\[0\] \('ci-builder'\): expires must be a date such as 2027-06-30 .*, not '2027-02-30'"),
    case('robot-cost-3', dict(ROBOTS, registry_robot_htpasswd_cost=3),
         r'registry_robot_htpasswd_cost must be an integer from 4 to 31, not 3'),
    case('robot-cost-32', dict(ROBOTS, registry_robot_htpasswd_cost=32),
         r'registry_robot_htpasswd_cost must be an integer from 4 to 31, not 32'),
    # Run as root here, so a directory's mode never refuses a write: a path under a file cannot be created by anyone.
    case('robot-secrets-dir-not-writable', dict(ROBOTS, registry_robot_secrets_dir='/etc/hostname/robots'),
         r"registry_robot_secrets_dir '/etc/hostname/robots' cannot be created on the controller: '/etc/hostname' is not a"
         r" directory"),
    case('robot-secrets-dir-relative', dict(ROBOTS, registry_robot_secrets_dir='robots'),
         r"registry_robot_secrets_dir must be an absolute path \(or start with ~\), not 'robots'"),
    case('robot-problems-at-once',
         dict(ROBOTS, registry_robots=[{'name': 'ci/builder', 'access': 'owner', 'password': 'x'}],
              registry_robots_rotate=['nobody']),
         [r"registry_robots\[0\] \('ci/builder'\) has unknown keys password; .*a robot's secret is generated",
          r"registry_robots\[0\] \('ci/builder'\): name must be 1 to 64 letters, digits",
          r"registry_robots\[0\] \('ci/builder'\): access must be one of pull, push, admin, not 'owner'",
          r"registry_robots_rotate names 'nobody', which is not in registry_robots"]),
]

# The whole site playbook: it stops in the validate play it imports, and the deploy play never starts.
SITE_PLAYBOOK_CASES = [
    case('site-playbook-tls-unknown', {'registry_tls': 'acme'},
         r'value of registry_tls must be one of: letsencrypt, selfsigned, provided, got: acme'),
    case('site-playbook-problems-at-once', {'registry_domain': 'registry.example.com:443', 'registry_htpasswd_cost': 3,
                                            'docker_daemon_options_extra': {'hosts': ['tcp://0.0.0.0:2375']}},
         [DOMAIN_MSG + r"'registry\.example\.com:443'", r'registry_htpasswd_cost must be an integer from 4 to 31, not 3', HOSTS_MSG]),
    # The example inventory as copied: its vault's placeholder passwords stop the site before the deploy play.
    case('site-playbook-example-vault', {'registry_users': [{'name': 'ci', 'password': 'change-me-ci-password'},
                                                            {'name': 'alice', 'password': 'change-me-alice-password'}]},
         [PUBLISHED_MSG % 'ci', PUBLISHED_MSG % 'alice']),
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
    case('nginx-key-mismatch', ('nginx', {'nginx_server_name': 'registry.example.com', 'nginx_tls_certificate_src': TLS + '/cert.pem',
                                          'nginx_tls_private_key_src': TLS + '/other-key.pem'}),
         r'nginx_tls_private_key_src \(.*/other-key\.pem\) does not match nginx_tls_certificate_src \(.*/cert\.pem\)'),
    case('nginx-upstream-bad', ('nginx', {'nginx_server_name': 'registry.example.com', 'nginx_upstream': 'registry'}),
         r"nginx_upstream must be host:port, \[IPv6\]:port or unix:/path; got 'registry'"),
    case('letsencrypt-wildcard', ('letsencrypt', {'letsencrypt_domains': ['*.example.com'], 'letsencrypt_email': 'hostmaster@example.com'}),
         LE_DOMAINS_MSG + r"\['\*\.example\.com'\]"),
    # Formerly block/rescue copies in molecule/letsencrypt/verify.yml.
    case('letsencrypt-domain-a-url', ('letsencrypt', {'letsencrypt_domains': ['https://registry.example.com/v2'],
                                                      'letsencrypt_email': 'hostmaster@example.com'}),
         LE_DOMAINS_MSG + r"\['https://registry\.example\.com/v2'\]"),
    case('letsencrypt-certificate-without-key', ('letsencrypt', {'letsencrypt_domains': ['registry.example.com'],
                                                                 'letsencrypt_email': 'hostmaster@example.com',
                                                                 'letsencrypt_install_certificate': '/etc/nginx/tls/registry.example.com/fullchain.pem',
                                                                 'letsencrypt_install_private_key': ''}),
         r"letsencrypt_install_certificate and letsencrypt_install_private_key must be set together \(or both left empty\), as two "
         r"different absolute paths; got '/etc/nginx/tls/registry\.example\.com/fullchain\.pem' and ''"),
    case('letsencrypt-os-family-unsupported', ('letsencrypt', {'letsencrypt_domains': ['registry.example.com'],
                                                               'letsencrypt_email': 'hostmaster@example.com'}),
         LETSENCRYPT_OS_MSG, host='gentoo'),
    # Formerly block/rescue copies in molecule/docker/verify.yml (the OS family on a host that looks like Gentoo).
    case('docker-os-family-unsupported', ('docker', {}), DOCKER_OS_MSG, host='gentoo'),
    case('docker-daemon-sets-hosts', ('docker', {'docker_daemon_options_extra': {'hosts': ['tcp://127.0.0.1:2375']}}), HOSTS_MSG),
    case('docker-user-unknown', ('docker', {'docker_users': ['nosuchuser']}), r'docker_users names users that do not exist on this host: nosuchuser'),
    case('docker-upstream-url-http', ('docker', {'docker_upstream_repo_url': 'http://mirror.example.com/linux'}),
         r"docker_upstream_repo_url must be an https:// URL .*; got 'http://mirror\.example\.com/linux'"),
    # nginx_access_rules (issue 13) when the nginx role is used without the site's wiring: the role names its own variable.
    case('nginx-access-rules-level-unknown', ('nginx', {'nginx_server_name': 'registry.example.com',
                                                        'nginx_access_rules': [{'name': 'ci', 'access': 'write'}]}),
         r"nginx_access_rules\[0\] \('ci'\): access must be one of pull, push, admin, not 'write'"),
    case('nginx-access-rules-unknown-key', ('nginx', {'nginx_server_name': 'registry.example.com',
                                                      'nginx_access_rules': [{'name': 'ci', 'access': 'pull', 'password': 'pw'}]}),
         r"nginx_access_rules\[0\] \('ci'\) has unknown keys password; allowed: name, access, repositories"),
    case('nginx-access-rules-duplicate-user', ('nginx', {'nginx_server_name': 'registry.example.com',
                                                         'nginx_access_rules': [{'name': 'ci', 'access': 'pull'}, {'name': 'ci'}]}),
         r"nginx_access_rules\[1\]: user 'ci' is listed twice \(also nginx_access_rules\[0\]\); list each user once"),
    case('registry-bind-address-public', ('registry', {'registry_domain': 'registry.example.com', 'registry_bind_address': '::'}),
         BIND_MSG % r'::'),
]

CONTROLS = [
    pytest.param({}, id='selfsigned-filesystem'),
    # Robots with every key, one of them past its expiry date (removed by the deploy, not refused).
    pytest.param(dict(ROBOTS, registry_robots=[ROBOT, {'name': 'ci-puller', 'access': 'pull', 'expires': '2020-01-01'},
                                               {'name': 'ci-gone', 'state': 'absent'}],
                      registry_robots_rotate=['ci-builder'], registry_robot_htpasswd_cost=5), id='robots'),
    pytest.param(LETSENCRYPT, id='letsencrypt'),
    pytest.param(PROVIDED, id='provided'),
    pytest.param(dict(S3, registry_s3_endpoint='https://minio.example.com:9000', registry_s3_access_key='AKIAEXAMPLE',
                      registry_s3_secret_key='secret'), id='s3-with-keys'),
    pytest.param({'registry_cache': 'redis', 'registry_redis_addr': 'redis.example.com:6379', 'registry_port': 5001,
                  'registry_htpasswd_cost': 4}, id='redis-port-cost'),
    # Booleans as the strings an AWX multiple-choice answer or `-e key=value` gives: the roles take them.
    pytest.param({'docker_use_upstream_repo': 'false', 'registry_delete_enabled': 'true', 'registry_readonly': 'false',
                  'letsencrypt_renewal_timer_enabled': 'true', 'nginx_ssl_stapling': 'false'}, id='booleans-as-strings'),
    # Names Let's Encrypt refuses (cases above) but a self-signed certificate takes.
    pytest.param({'registry_domain': 'localhost'}, id='selfsigned-domain-localhost'),
    pytest.param({'registry_domain': '10.0.0.5'}, id='selfsigned-domain-ip-address'),
    pytest.param({'registry_domain': 'registry'}, id='selfsigned-domain-single-label'),
    # A mirror of Docker's repository that re-signs it with its own key (fingerprint in lower case, without spaces).
    pytest.param({'docker_upstream_repo_url': 'https://mirror.example.com/docker/linux',
                  'docker_upstream_repo_deb_key_fingerprint': '0123456789abcdef0123456789abcdef01234567'}, id='docker-upstream-mirror'),
    # nginx's limits and timeouts as the strings -e or a survey gives, and IPv6 off by a string (issue 12).
    pytest.param({'nginx_listen_ipv6': 'false', 'nginx_limit_req_rate': '50', 'nginx_limit_req_burst': '0', 'nginx_limit_conn': '8',
                  'nginx_client_header_timeout': '5', 'nginx_client_body_timeout': '120'}, id='nginx-limits-as-strings'),
    # The registry role's opt-ins and new settings (issue 12): a public bind address and an http S3 endpoint when said
    # so (booleans as strings), IPv6 loopback, a digest, a reference whose dialect only the image can tell, limits.
    pytest.param({'registry_bind_address': '10.0.0.5', 'registry_bind_address_public': 'true'}, id='bind-address-public-opted-in'),
    pytest.param(dict(S3, registry_s3_endpoint='http://minio.example.com:9000', registry_s3_allow_http='true'),
                 id='s3-http-endpoint-opted-in'),
    pytest.param({'registry_bind_address': '::1', 'registry_image': 'registry:3.1.1@sha256:' + '0123456789abcdef' * 4,
                  'registry_memory_limit': '512m', 'registry_pids_limit': '256'}, id='ipv6-loopback-digest-limits'),
    pytest.param({'registry_image': 'mirror.example.com:5000/team/registry:prod', 'registry_config_dialect': 'auto'},
                 id='image-dialect-from-the-image'),
    pytest.param({'registry_image': 'registry:2.8.3', 'registry_memory_limit': '2GB'}, id='registry-2.8'),
    # Access levels and patterns (issue 13): every level, limited and unlimited users, '*' alone, a user named with
    # characters nginx's maps must escape.
    pytest.param({'registry_users': [{'name': 'ci', 'password': 'pw-ci', 'access': 'pull'},
                                     {'name': 'robot', 'password': 'pw-robot', 'access': 'push', 'repositories': ['team-a/*', 'tools/builder']},
                                     {'name': 'alice', 'password': 'pw-alice', 'access': 'admin'},
                                     {'name': 'bob', 'password': 'pw-bob', 'repositories': ['*']},
                                     {'name': 'reader', 'password': 'pw-reader', 'access': 'pull', 'repositories': ['team-a/*']},
                                     {'name': "o'neil.b+c", 'password': 'pw-oneil'},
                                     {'name': 'gone', 'state': 'absent', 'access': 'pull'}]}, id='access-levels-and-patterns'),
    # Retention and garbage collection (issue 14): rules of every kind, their admin (with its own bcrypt cost, issue 15:
    # many requests, a random secret; the global cost as a survey's string), a timer.
    pytest.param(dict(RETENTION, registry_users=[USER, dict(RETENTION['registry_users'][1], cost=4)], registry_htpasswd_cost='11',
                      registry_gc_schedule='Sun *-*-* 03:00:00', registry_gc_delete_untagged=False,
                      registry_retention_rules=[{'repository': 'team-a/*', 'keep_last': 10, 'keep_tags': ['^v[0-9]', '^latest$']},
                                                {'repository': '*', 'older_than': '1w3d'}]), id='retention-and-gc'),
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


# The first task of each role's tasks/main.yml: it includes tasks/validate.yml (unless <role>_validate is false).
INCLUDE_CHECKS = 'Check the settings before changing anything'


def is_role_check(task, entry_point, roles=('site', 'docker', 'registry', 'nginx', 'letsencrypt')):
    """Whether TASK belongs to the ENTRY_POINT checks of one of ROLES: its argument spec check or its rules' files."""
    if task.action == 'ansible.builtin.validate_argument_spec':
        return task.role in roles and task.name.startswith("Validating arguments against arg spec '%s'" % entry_point)
    if entry_point == 'main' and task.action == 'ansible.builtin.include_tasks' and task.name == INCLUDE_CHECKS:
        return task.role in roles and task.path == 'roles/%s/tasks/main.yml' % task.role
    match = ROLE_CHECK_FILE_RE.match(task.path or '')
    return bool(match) and task.role in roles and task.role == (match.group('role') or match.group('tls_role'))


def is_validate_play_task(task):
    """Whether TASK is part of playbooks/validate.yml's play: its own tasks or a role's validate entry point."""
    return task.play == VALIDATE_PLAY and (task.path in VALIDATE_PLAY_FILES or is_role_check(task, 'validate'))


def check_refused(run, expected):
    """The validate play stopped every host of EXPECTED (host -> regexes) with its own list of problems, changing nothing."""
    assert run.rc == 2, run.report()
    assert run.plays == [VALIDATE_PLAY], run.report()
    outside = [task for task in run.tasks if not is_validate_play_task(task)]
    assert outside == [], 'tasks other than validation ran: %r\n%s' % (outside, run.report())
    assert sorted(set(failure.host for failure in run.failures)) == sorted(expected), run.report()
    for host, regexes in expected.items():
        stats = run.host_stats(host)
        assert (stats['changed'], stats['failures'], stats['dark']) == (0, 1, 0), run.report()
        failures = run.failures_of(host)
        stop = failures[-1]
        assert (stop.name, stop.path, stop.rescued) == (STOP_TASK, 'playbooks/validate.yml', False), run.report()
        found = failures[:-1]
        assert found, 'no check failed before the stop on %s\n%s' % (host, run.report())
        not_checks = [failure for failure in found if not (failure.rescued and is_role_check(failure, 'validate'))]
        assert not_checks == [], 'failures that are not rescued validation checks: %r\n%s' % (not_checks, run.report())
        assert stats['rescued'] == len(found) == run.rescued_counts[host], run.report()
        # The final message is every problem the checks found, once each, and nothing else.
        lines = stop.result.get('msg', '').split('\n- ')
        problems = [message for failure in found for message in failure.messages]
        assert lines[0] == STOP_HEADER and sorted(lines[1:]) == sorted(set(problems)), run.report()
        for regex in regexes:
            assert re.search(regex, stop.result['msg']), 'message on %s does not match %r:\n%s' % (host, regex, stop.result['msg'])


@pytest.mark.parametrize('changes, regexes, host', CASES)
def test_site_refuses_bad_input(changes, regexes, host, targets, tls_files, run_playbook):
    run = run_playbook(VALIDATE, [host], resolve(merge(changes), tls_files))
    check_refused(run, {targets[host]: regexes})


@pytest.mark.parametrize('changes, regexes, host', SITE_PLAYBOOK_CASES)
def test_site_playbook_stops_before_deploying(changes, regexes, host, targets, tls_files, run_playbook):
    """playbooks/site.yml imports the validate play: bad input stops it there, the deploy play never starts."""
    run = run_playbook(SITE, [host], resolve(merge(changes), tls_files))
    check_refused(run, {targets[host]: regexes})


def test_each_host_gets_its_own_problems(targets, run_playbook):
    """Both hosts in one run: a shared bad value on both, each host's own problems on it alone."""
    variables = merge(dict(LETSENCRYPT, registry_domain='localhost'))
    run = run_playbook(VALIDATE, ['target', 'gentoo'], variables, host_vars={'target': {'registry_port': 70000}})
    shared = [LE_DOMAIN_MSG + r"'localhost'", LE_DOMAINS_MSG + r"\['localhost'\]"]
    check_refused(run, {targets['target']: shared + [PORT_MSG, UPSTREAM_70000_MSG],
                        targets['gentoo']: shared + [DOCKER_OS_MSG, NGINX_OS_MSG, LETSENCRYPT_OS_MSG]})
    messages = dict((failure.host, failure.result['msg']) for failure in run.failures if failure.name == STOP_TASK)
    assert not re.search('OS famil', messages[targets['target']]), run.report()
    assert not re.search('registry_port|nginx_upstream', messages[targets['gentoo']]), run.report()


@pytest.mark.parametrize('role_and_vars, regexes, host', ROLE_CASES)
def test_role_alone_refuses_bad_input(role_and_vars, regexes, host, targets, tls_files, run_playbook):
    role, variables = role_and_vars
    run = run_playbook(os.path.join(FILES, 'role_%s.yml' % role), [host], resolve(variables, tls_files))
    name = targets[host]
    assert run.rc == 2, run.report()
    assert run.plays == ['Use the %s role alone' % role], run.report()
    stats = run.host_stats(name)
    assert (stats['changed'], stats['failures'], stats['dark'], stats['rescued']) == (0, 1, 0, 0), run.report()
    assert len(run.failures) == 1, run.report()
    failure = run.failures[0]
    assert is_role_check(failure, 'main', roles=(role,)), 'the failing task is not a check of the role: %r\n%s' % (failure, run.report())
    outside = [task for task in run.tasks if not is_role_check(task, 'main', roles=(role,))]
    assert outside == [], 'tasks other than the role\'s checks ran: %r\n%s' % (outside, run.report())
    for regex in regexes:
        assert re.search(regex, failure.message), 'message does not match %r:\n%s' % (regex, failure.message)


@pytest.mark.parametrize('changes', CONTROLS)
def test_valid_input_passes_validation(changes, targets, tls_files, run_playbook):
    """The base of every case passes playbooks/validate.yml: the cases fail for their own reasons."""
    run = run_playbook(VALIDATE, ['target'], resolve(merge(changes), tls_files))
    stats = run.host_stats(targets['target'])
    assert run.rc == 0, run.report()
    assert run.plays == [VALIDATE_PLAY], run.report()
    assert (stats['changed'], stats['failures'], stats['dark'], stats['rescued']) == (0, 0, 0, 0), run.report()
    assert stats['ok'] > 0, run.report()
    assert run.failures == [], run.report()
    outside = [task for task in run.tasks if not is_validate_play_task(task)]
    assert outside == [], 'tasks other than validation ran: %r\n%s' % (outside, run.report())
