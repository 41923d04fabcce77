# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Why certbot must issue a lineage's certificate again: compares the lineage on the host with the request."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.six import string_types

# community.crypto.x509_certificate_info's public_key_type for each certbot --key-type.
PUBLIC_KEY_TYPES = {'ecdsa': 'ECC', 'rsa': 'RSA'}

# The ACME directory certbot saved in the lineage's renewal configuration.
_SERVER_RE = re.compile(r'^server\s*=\s*(\S+)', re.MULTILINE)


def _fail(message):
    raise AnsibleFilterError('certbot_reissue_reasons: %s' % message)


def _names(values, what):
    """Lower-cased, de-duplicated, sorted: the comparison ignores case and order."""
    if not is_sequence(values) or isinstance(values, string_types):
        _fail('%s must be a list of host names, not %s' % (what, type(values).__name__))
    return sorted(set(str(value).lower() for value in values))


def certbot_reissue_reasons(lineage_exists, renewal_conf, certificate, domains, acme_directory, key_type):
    """Return why certbot must request the certificate again; an empty list means the lineage is up to date.

    LINEAGE_EXISTS: whether /etc/letsencrypt/renewal/<name>.conf exists. RENEWAL_CONF: its text.
    CERTIFICATE: community.crypto.x509_certificate_info's result for the lineage's cert.pem.
    DOMAINS, ACME_DIRECTORY, KEY_TYPE: what is requested (letsencrypt_domains, ..._acme_directory, ..._key_type).
    RENEWAL_CONF and CERTIFICATE are only read when the lineage exists.
    """
    if not lineage_exists:
        return ['new lineage']
    if key_type not in PUBLIC_KEY_TYPES:
        _fail('key_type must be one of %s, not %r' % (', '.join(sorted(PUBLIC_KEY_TYPES)), key_type))
    if not isinstance(certificate, dict) or 'public_key_type' not in certificate:
        _fail('certificate must be the result of community.crypto.x509_certificate_info for the lineage')
    wanted_domains = _names(domains, 'domains')
    san = certificate.get('subject_alt_name') or []
    certificate_domains = _names([name[len('DNS:'):] for name in san if name.startswith('DNS:')], 'subject_alt_name')
    found = _SERVER_RE.findall(renewal_conf or '')
    saved_server = found[0] if found else ''
    public_key_type = certificate['public_key_type']

    reasons = []
    if certificate_domains != wanted_domains:
        reasons.append('domains %s -> %s' % (','.join(certificate_domains), ','.join(wanted_domains)))
    if saved_server != acme_directory:
        reasons.append('ACME directory %s -> %s' % (saved_server, acme_directory))
    if public_key_type != PUBLIC_KEY_TYPES[key_type]:
        reasons.append('key type %s -> %s' % (public_key_type, key_type))
    return reasons


class FilterModule(object):
    def filters(self):
        return {'certbot_reissue_reasons': certbot_reissue_reasons}
