# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""certbot_reissue_reasons: one reason per difference between the lineage on the host and the request."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.filter.certbot_reissue_reasons import FilterModule, certbot_reissue_reasons

LE = 'https://acme-v02.api.letsencrypt.org/directory'
STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory'
# What certbot writes (abridged).
CONF = """# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/registry.example.com
cert = /etc/letsencrypt/live/registry.example.com/cert.pem

# Options used in the renewal process
[renewalparams]
account = 0123456789abcdef
authenticator = webroot
webroot_path = /var/www/letsencrypt,
server = %s
key_type = ecdsa
""" % LE
CERT = {
    'changed': False,
    'subject_alt_name': ['DNS:registry.example.com', 'DNS:www.example.com'],
    'public_key_type': 'ECC',
}
DOMAINS = ['registry.example.com', 'www.example.com']


def reasons(exists=True, conf=CONF, cert=None, domains=None, directory=LE, key_type='ecdsa'):
    return certbot_reissue_reasons(exists, conf, CERT if cert is None else cert, DOMAINS if domains is None else domains, directory, key_type)


def test_registered():
    assert FilterModule().filters() == {'certbot_reissue_reasons': certbot_reissue_reasons}


def test_up_to_date():
    assert reasons() == []


def test_new_lineage_compares_nothing_else():
    # The skipped slurp and x509_certificate_info leave no content and a result without public_key_type.
    assert reasons(exists=False, conf='', cert={'changed': False, 'skipped': True}, directory=STAGING, key_type='rsa') == ['new lineage']


def test_domains_ignore_case_order_and_duplicates():
    assert reasons(domains=['WWW.example.com', 'registry.example.com', 'www.example.com']) == []
    assert reasons(cert=dict(CERT, subject_alt_name=['DNS:www.example.com', 'DNS:Registry.Example.COM'])) == []


def test_domain_added():
    assert reasons(domains=DOMAINS + ['cdn.example.com']) == [
        'domains registry.example.com,www.example.com -> cdn.example.com,registry.example.com,www.example.com']


def test_domain_removed():
    assert reasons(domains=['registry.example.com']) == ['domains registry.example.com,www.example.com -> registry.example.com']


def test_only_dns_names_count():
    cert = dict(CERT, subject_alt_name=['IP:192.0.2.1', 'DNS:registry.example.com', 'email:a@example.com', 'DNS:www.example.com'])
    assert reasons(cert=cert) == []


@pytest.mark.parametrize('san', [None, []])
def test_certificate_without_names(san):
    assert reasons(cert=dict(CERT, subject_alt_name=san)) == ['domains  -> registry.example.com,www.example.com']


def test_acme_directory_changed():
    assert reasons(directory=STAGING) == ['ACME directory %s -> %s' % (LE, STAGING)]


@pytest.mark.parametrize('conf', ['', '[renewalparams]\naccount = x\n', '# server = %s\n' % LE])
def test_acme_directory_missing_from_the_configuration(conf):
    assert reasons(conf=conf) == ['ACME directory  -> %s' % LE]


def test_acme_directory_spacing():
    assert reasons(conf='[renewalparams]\nserver=%s\n' % LE) == []


@pytest.mark.parametrize('public_key_type, key_type, expected', [
    ('ECC', 'ecdsa', []),
    ('RSA', 'rsa', []),
    ('ECC', 'rsa', ['key type ECC -> rsa']),
    ('RSA', 'ecdsa', ['key type RSA -> ecdsa']),
    ('Ed25519', 'ecdsa', ['key type Ed25519 -> ecdsa']),
])
def test_key_type(public_key_type, key_type, expected):
    assert reasons(cert=dict(CERT, public_key_type=public_key_type), key_type=key_type) == expected


def test_every_reason_in_order():
    cert = {'subject_alt_name': ['DNS:old.example.com'], 'public_key_type': 'RSA'}
    assert reasons(cert=cert, domains=['registry.example.com'], directory=STAGING) == [
        'domains old.example.com -> registry.example.com',
        'ACME directory %s -> %s' % (LE, STAGING),
        'key type RSA -> ecdsa',
    ]


def test_domains_and_key_type():
    cert = dict(CERT, public_key_type='ECC')
    assert reasons(cert=cert, domains=['registry.example.com'], key_type='rsa') == [
        'domains registry.example.com,www.example.com -> registry.example.com', 'key type ECC -> rsa']


@pytest.mark.parametrize('args, message', [
    ({'key_type': 'dsa'}, "key_type must be one of ecdsa, rsa, not 'dsa'"),
    ({'cert': {'changed': False, 'skipped': True}}, 'certificate must be the result of community.crypto.x509_certificate_info'),
    ({'domains': 'registry.example.com'}, 'domains must be a list of host names, not str'),
])
def test_malformed_input(args, message):
    with pytest.raises(AnsibleFilterError, match='^certbot_reissue_reasons: ' + message):
        reasons(**args)
