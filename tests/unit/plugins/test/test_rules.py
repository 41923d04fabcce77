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
