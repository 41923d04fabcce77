# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared rules (plugins/module_utils/rules.py) through the Jinja tests the roles use (plugins/test/rules.py).

Each rule is run through a real Jinja environment as `value is dockyard.registry.<test>(...)`, so what is
tested is what a role's `that:` evaluates.
"""

import jinja2
import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.module_utils import rules
from ansible_collections.dockyard.registry.plugins.test.rules import TestModule as RuleTests

ENV = jinja2.Environment()
ENV.tests.update(('dockyard.registry.' + name, test) for name, test in RuleTests().tests().items())


def check(value, test, args=''):
    """`value is dockyard.registry.TEST(ARGS)`, evaluated by Jinja."""
    return ENV.from_string('{{ value is dockyard.registry.%s%s }}' % (test, args)).render(value=value) == 'True'


NOT_STRINGS = [None, 5, 5.0, True, ['registry.example.com'], {'name': 'registry.example.com'}]

DNS_NAMES = ['registry.example.com', 'localhost', 'registry', 'a.b.c.d.example', 'xn--bcher-kva.example',
             'r-1.example.com', 'a' * 63 + '.com', '.'.join(['a' * 49] * 5) + '.com']
NOT_DNS_NAMES = ['', 'Registry.Example.com', 'REGISTRY', 'registry.example.com.', '.example.com', '*.example.com',
                 'https://registry.example.com', 'registry.example.com:443', 'registry.example.com/v2',
                 'registry.example.com\n', ' registry.example.com', 'reg istry.example.com', '-registry.example.com',
                 'registry-.example.com', 'a' * 64 + '.com', '.'.join(['a' * 50] * 5) + '.com', 'registry..example.com',
                 '10.0.0.5', '999.1.1.1', 'registry.1com', 'under_score.example.com']


@pytest.mark.parametrize('value', DNS_NAMES)
def test_dns_name_accepts(value):
    assert check(value, 'dns_name')


@pytest.mark.parametrize('value', NOT_DNS_NAMES + NOT_STRINGS)
def test_dns_name_refuses(value):
    assert not check(value, 'dns_name')


@pytest.mark.parametrize('value', ['10.0.0.5', '127.0.0.1', '::1', '2001:db8::1', 'fe80::1'])
def test_ip_address_accepts(value):
    assert check(value, 'ip_address')


@pytest.mark.parametrize('value', ['', '10.0.0', '10.0.0.256', '[::1]', '10.0.0.0/8', 'localhost', '10.0.0.5\n'] + NOT_STRINGS)
def test_ip_address_refuses(value):
    assert not check(value, 'ip_address')


@pytest.mark.parametrize('value, letsencrypt, other', [
    ('registry.example.com', True, True),
    ('registry.dockyard.test', True, True),
    ('localhost', False, True),
    ('registry', False, True),
    ('10.0.0.5', False, True),
    ('::1', False, True),
    ('Registry.Example.com', False, False),
    ('*.example.com', False, False),
    ('registry.example.com:443', False, False),
    ('', False, False),
    (None, False, False),
])
def test_server_name_by_tls_mode(value, letsencrypt, other):
    assert check(value, 'server_name', "('letsencrypt')") is letsencrypt
    assert check(value, 'server_name', "('selfsigned')") is other
    assert check(value, 'server_name', "('provided')") is other
    assert check(value, 'server_name') is other


def test_server_name_refuses_an_unknown_tls_mode():
    with pytest.raises(AnsibleFilterError, match="tls must be one of letsencrypt, selfsigned, provided, not 'acme'"):
        check('registry.example.com', 'server_name', "('acme')")


@pytest.mark.parametrize('value', ['10s', '90s', '24h', '168h', '1h30m', '500ms', '1.5h', '10us', u'10\u00b5s', '2h45m30s'])
def test_go_duration_accepts(value):
    assert check(value, 'go_duration')


@pytest.mark.parametrize('value', ['', '10', '7 days', '10 s', '1d', '1w', 's', '-10s', '10s\n', '1h 30m', '.5h'] + NOT_STRINGS)
def test_go_duration_refuses(value):
    assert not check(value, 'go_duration')


@pytest.mark.parametrize('value, with_path, without_path', [
    ('https://minio.example.com:9000', True, True),
    ('https://minio.example.com/', True, True),
    ('http://s3:5000', True, True),
    ('http://10.0.0.5:9000', True, True),
    ('http://[::1]:9000', True, True),
    ('https://acme-v02.api.letsencrypt.org/directory', True, False),
    ('https://minio.example.com/team-registry', True, False),
    ('https://S3.Example.com', True, True),
    ('minio.example.com:9000', False, False),
    ('ftp://minio.example.com', False, False),
    ('https://', False, False),
    ('https://minio.example.com:70000', False, False),
    ('https://minio.example.com:0', False, False),
    ('https://minio example.com', False, False),
    ('https://minio.example.com\n', False, False),
    ('https://[::1', False, False),
    (None, False, False),
])
def test_http_url(value, with_path, without_path):
    assert check(value, 'http_url') is with_path
    assert check(value, 'http_url', '(path=false)') is without_path


@pytest.mark.parametrize('value', ['redis.example.com:6379', 'redis:6379', '10.0.0.5:6379', '[::1]:6379', '127.0.0.1:1', 'r:65535'])
def test_host_port_accepts(value):
    assert check(value, 'host_port')


@pytest.mark.parametrize('value', ['', 'redis', 'redis:', ':6379', 'redis:0', 'redis:65536', '::1:6379', '[localhost]:6379',
                                   'redis:6379\n', 'unix:/run/redis.sock', 'redis:63 79'] + NOT_STRINGS)
def test_host_port_refuses(value):
    assert not check(value, 'host_port')


@pytest.mark.parametrize('value, valid', [
    ('hostmaster@example.com', True),
    ('ops+registry@mail.example.org', True),
    ('hostmaster', False),
    ('hostmaster@example', False),
    ('host master@example.com', False),
    ('a@b@example.com', False),
    ('hostmaster@example.com\n', False),
    ('', False),
    (None, False),
])
def test_email_address(value, valid):
    assert check(value, 'email_address') is valid


@pytest.mark.parametrize('host, port, expected', [
    ('127.0.0.1', 5000, '127.0.0.1:5000'),
    ('::1', 5000, '[::1]:5000'),
    ('[::1]', '5000', '[::1]:5000'),
    ('registry', 5000, 'registry:5000'),
])
def test_join_host_port(host, port, expected):
    assert rules.join_host_port(host, port) == expected


@pytest.mark.parametrize('value', ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.1'])
def test_loopback_address_accepts(value):
    assert check(value, 'loopback_address')


# Every address a published port is reachable from outside on (the unspecified ones included), names, and shapes.
@pytest.mark.parametrize('value', ['0.0.0.0', '::', '10.0.0.5', '172.17.0.1', '192.168.1.10', '2001:db8::1', 'fe80::1',
                                   '::ffff:10.0.0.5', 'localhost', '127.0.0.1\n', ' 127.0.0.1', '127.0.0.1:5000', '[::1]',
                                   '127.0.0.0/8', ''] + NOT_STRINGS)
def test_loopback_address_refuses(value):
    assert not check(value, 'loopback_address')


SHA256 = 'sha256:' + '0123456789abcdef' * 4


@pytest.mark.parametrize('value', ['registry', 'registry:3', 'registry:3.1.1', 'registry:2.8.3', 'docker.io/library/registry:3',
                                   'localhost:5000/registry', 'localhost:5000/team/registry:3.1.1', 'mirror.example.com/r/registry',
                                   '10.0.0.5:5000/registry:v3', '[::1]:5000/registry:3', 'registry@' + SHA256,
                                   'registry:3.1.1@' + SHA256, 'ghcr.io/distribution/distribution:edge', 'dockyard/registry:2.8.2',
                                   'my_org/re-gi.stry__x:Tag_1', 'Registry.Example.com/registry', 'registry@sha512:' + 'a' * 128,
                                   'registry:' + 'a' * 128, 'a' * 255])
def test_image_reference_accepts(value):
    assert check(value, 'image_reference')


@pytest.mark.parametrize('value', ['', ' ', 'registry:3.1.1 ', 'registry:3.1.1\n', ' registry', 'Registry:3', 'team/Registry',
                                   'https://registry.example.com/registry', 'registry:', 'registry:.3', 'registry:-3',
                                   'registry:' + 'a' * 129, 'registry@sha256:0123', 'registry@sha256:' + 'g' * 64,
                                   'registry@' + SHA256 + '0', 'registry@sha512:' + 'a' * 64, '@' + SHA256, '0123456789abcdef' * 4,
                                   'registry//x', '/registry', 'registry/', 'reg istry', 'registry:3 registry:2',
                                   'registry-:3', 'a' * 256, 'x.example.com/' + 'a' * 250] + NOT_STRINGS)
def test_image_reference_refuses(value):
    assert not check(value, 'image_reference')


@pytest.mark.parametrize('value, size', [
    ('0', 0), ('2147483648', 2147483648), ('100b', 100), ('100B', 100), ('512k', 512 * 1024), ('512K', 512 * 1024),
    ('512m', 512 * 1024 ** 2), ('512M', 512 * 1024 ** 2), ('512MB', 512 * 1024 ** 2), ('1g', 1024 ** 3), ('1G', 1024 ** 3),
    ('1GB', 1024 ** 3), ('2t', 2 * 1024 ** 4), ('1TB', 1024 ** 4),
])
def test_memory_size_accepts(value, size):
    assert check(value, 'memory_size')
    assert rules.memory_size_bytes(value) == size


@pytest.mark.parametrize('value', ['', 'g', '1.5g', '1GiB', '1Gb', '1gb', '1 g', '-1', '1g\n', ' 1g', '1p', '1e', 'unlimited',
                                   '512MiB', '1,5g'] + NOT_STRINGS)
def test_memory_size_refuses(value):
    assert not check(value, 'memory_size')
    assert rules.memory_size_bytes(value) is None


def test_memory_size_agrees_with_what_docker_container_reads():
    """community.docker's docker_container converts memory with Ansible's human_to_bytes: same number of bytes."""
    from ansible.module_utils.common.text.formatters import human_to_bytes
    for value in ['0', '2147483648', '100b', '100B', '512k', '512K', '512m', '512M', '512MB', '1g', '1G', '1GB', '2t', '1TB']:
        assert human_to_bytes(value) == rules.memory_size_bytes(value), value


@pytest.mark.parametrize('value, seconds', [('10s', 10), ('1h30m', 5400), ('500ms', 0.5), ('1.5h', 5400), ('2m3s', 123),
                                            (u'10\u00b5s', 1e-05), ('0s', 0)])
def test_go_duration_seconds(value, seconds):
    assert rules.go_duration_seconds(value) == pytest.approx(seconds)


@pytest.mark.parametrize('value', ['', '10', '10 s', '10s\n', None, 10])
def test_go_duration_seconds_refuses(value):
    assert rules.go_duration_seconds(value) is None
