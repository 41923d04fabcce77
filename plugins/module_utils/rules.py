# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape rules every part of dockyard.registry shares: one home for each.

The Jinja tests in plugins/test/ (used by the roles' validation), the filters and the modules all call
these functions, so a value is accepted or refused the same way wherever it is checked. Each function
takes any value and returns a boolean: a value of the wrong type is simply not valid. Strings are
matched in full (a trailing newline is not ignored, as it would be by ``re.match('...$')``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re

# One DNS label: letters, digits and inner hyphens, 1 to 63 characters. Lower case only: the name is
# compared as text by nginx (server_name), certbot (lineage names), Docker (image references) and TLS
# certificates, so one spelling avoids mismatches. The last label starts with a letter, as top-level
# domains do, so a name can never be read as an IP address (10.0.0.5 is an address, not a name).
_LABEL = r'[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
_LAST_LABEL = r'[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?'
_DNS_NAME = re.compile(r'(?=.{1,253}\Z)(?:%s\.)*%s\Z' % (_LABEL, _LAST_LABEL))
# A public name: two labels or more (a single label such as localhost only resolves on a private network).
_PUBLIC_DNS_NAME = re.compile(r'(?=.{1,253}\Z)(?:%s\.)+%s\Z' % (_LABEL, _LAST_LABEL))
# Go's time.ParseDuration, which the registry uses for every duration in its configuration.
_GO_DURATION = re.compile(r'(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|\u00b5s|ms|s|m|h))+\Z')
_HTTP_URL = re.compile(r'https?://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?(?P<path>/[^\s]*)?\Z')
_HOST_PORT = re.compile(r'(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>[0-9]{1,5})\Z')
_EMAIL = re.compile(r'[^@\s]+@[^@\s]+\.[^@\s]+\Z')
# One number and unit of a Go duration, with the unit's length in seconds.
_GO_DURATION_PART = re.compile(r'([0-9]+(?:\.[0-9]+)?)(ns|us|\u00b5s|ms|s|m|h)')
_GO_DURATION_UNITS = {'ns': 1e-9, 'us': 1e-6, u'\u00b5s': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600}
# An image reference, as Docker reads it (distribution/reference's grammar, reference.go):
#   [domain[:port]/]path-component[/path-component...][:tag][@algorithm:hex]
# path components are lower-case alphanumerics joined by '.', '_', '__' or dashes; a tag is at most 128 word
# characters, dots and dashes, not starting with either; the name (domain and path) at most 255 characters.
_DOMAIN_COMPONENT = r'(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
_IMAGE_DOMAIN = r'(?:%s(?:\.%s)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?' % (_DOMAIN_COMPONENT, _DOMAIN_COMPONENT)
_PATH_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*'
_IMAGE_REFERENCE = re.compile(
    r'(?P<name>(?:(?P<domain>%s)/)?(?P<path>%s(?:/%s)*))(?::(?P<tag>[\w][\w.-]{0,127}))?'
    r'(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\Z'
    % (_IMAGE_DOMAIN, _PATH_COMPONENT, _PATH_COMPONENT), re.ASCII)
# The digest lengths of the algorithms the image spec registers (any other algorithm: 32 hex digits or more).
_DIGEST_HEX_LENGTHS = {'sha256': 64, 'sha512': 128}
# A size as Docker's --memory takes it and Ansible's human_to_bytes (community.docker) reads it: a whole number of
# bytes, or of KiB, MiB, GiB or TiB with the unit k, m, g, t (either case) or KB, MB, GB, TB.
_MEMORY_SIZE = re.compile(r'(?P<number>[0-9]+)(?P<unit>[bkmgtBKMGT]|[KMGT]B)?\Z')
_MEMORY_UNITS = {'': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3, 't': 1024 ** 4}

# Which names each TLS mode can serve: Let's Encrypt issues only for public DNS names; a self-signed or
# provided certificate may also name localhost, a private name or an IP address.
TLS_MODES = ('letsencrypt', 'selfsigned', 'provided')


def _text(value):
    return value if isinstance(value, str) else None


def is_dns_name(value):
    """A lower-case DNS host name (one label or more), without scheme, port, path, wildcard or trailing dot.

    The last label starts with a letter (as a top-level domain does).
    """
    text = _text(value)
    return text is not None and bool(_DNS_NAME.match(text))


def is_public_dns_name(value):
    """A DNS name a public certificate authority can issue for: a DNS name of two labels or more."""
    text = _text(value)
    return text is not None and bool(_PUBLIC_DNS_NAME.match(text))


def is_ip_address(value):
    """An IPv4 or IPv6 address, without brackets or prefix length."""
    text = _text(value)
    if text is None:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_server_name(value, tls=None):
    """A name the registry can be served as with the TLS mode TLS (None: with some mode).

    letsencrypt: a public DNS name. selfsigned, provided (or None): any DNS name, or an IP address.
    """
    if tls is not None and tls not in TLS_MODES:
        raise ValueError('tls must be one of %s, not %r' % (', '.join(TLS_MODES), tls))
    if tls == 'letsencrypt':
        return is_public_dns_name(value)
    return is_dns_name(value) or is_ip_address(value)


def is_go_duration(value):
    """A duration as Go's time.ParseDuration reads it: 90s, 30m, 24h, 1h30m, 500ms."""
    text = _text(value)
    return text is not None and bool(_GO_DURATION.match(text))


def go_duration_seconds(value):
    """A Go duration (is_go_duration) in seconds, as a float; None when VALUE is not one."""
    if not is_go_duration(value):
        return None
    return sum(float(number) * _GO_DURATION_UNITS[unit] for number, unit in _GO_DURATION_PART.findall(value))


def is_loopback_address(value):
    """A loopback IP address: 127.0.0.0/8 or ::1 (or 127.x as an IPv4-mapped IPv6 address); not a name.

    Only the host itself reaches a port published there.
    """
    if not is_ip_address(value):
        return False
    address = ipaddress.ip_address(value)
    mapped = getattr(address, 'ipv4_mapped', None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def is_image_reference(value):
    """A container image reference Docker can pull or run: [registry[:port]/]path[:tag][@digest].

    Such as registry:3.1.1, docker.io/library/registry:3, localhost:5000/team/registry or
    registry@sha256:<64 hex digits>. A sha256 digest has 64 hex digits and a sha512 one 128; the name (registry
    and path) is at most 255 characters. Not valid: an empty string, upper-case letters in the path, spaces, a
    scheme (https://...), a path of 64 hex digits (Docker reads that as an image ID).
    """
    text = _text(value)
    match = _IMAGE_REFERENCE.match(text) if text is not None else None
    # Docker refuses a name of 64 hex digits: it reads as an image ID.
    if not match or len(match.group('name')) > 255 or re.match(r'[0-9a-f]{64}\Z', match.group('path')):
        return False
    digest = match.group('digest')
    if digest:
        algorithm, _sep, hex_digits = digest.partition(':')
        if algorithm in _DIGEST_HEX_LENGTHS and len(hex_digits) != _DIGEST_HEX_LENGTHS[algorithm]:
            return False
    return True


def memory_size_bytes(value):
    """A memory size (is_memory_size) in bytes; None when VALUE is not one."""
    text = _text(value)
    match = _MEMORY_SIZE.match(text) if text is not None else None
    if not match:
        return None
    return int(match.group('number')) * _MEMORY_UNITS[(match.group('unit') or '')[:1].lower()]


def is_memory_size(value):
    """A size such as 512m, 1g, 1GB or 2147483648 (bytes): a whole number with an optional unit b, k, m, g or t
    (KiB, MiB, GiB, TiB; either case) or KB, MB, GB, TB, as Docker's --memory takes it."""
    return memory_size_bytes(value) is not None


def _valid_host(host):
    if host.startswith('['):
        return is_ip_address(host[1:-1]) and ':' in host
    return is_dns_name(host.lower()) or is_ip_address(host)


def _valid_port(port):
    return port is None or 1 <= int(port) <= 65535


def is_http_url(value, path=True):
    """An http:// or https:// URL with a host and optional port; PATH=False also refuses a path (a bare '/' is fine)."""
    text = _text(value)
    match = _HTTP_URL.match(text) if text is not None else None
    if not match or not _valid_host(match.group('host')) or not _valid_port(match.group('port')):
        return False
    return path or match.group('path') in (None, '/')


def is_host_port(value):
    """host:port or [IPv6]:port, the port from 1 to 65535."""
    text = _text(value)
    match = _HOST_PORT.match(text) if text is not None else None
    return bool(match) and _valid_host(match.group('host')) and _valid_port(match.group('port'))


def is_email_address(value):
    """name@domain.tld, without spaces."""
    text = _text(value)
    return text is not None and bool(_EMAIL.match(text))


def join_host_port(host, port):
    """host:port, with an IPv6 address in brackets (Go's net.JoinHostPort)."""
    host = str(host)
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s:%s' % (host, port)
