# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OpenPGP fingerprints (plugins/module_utils/openpgp.py): the pinned key is accepted, any other key refused.

Expected fingerprints come from outside the code under test: GnuPG for the fixture keys (fixtures/openpgp/README.md)
and RFC 9580's published samples (Appendix A).
"""

import base64
import os

import pytest

from ansible_collections.dockyard.registry.plugins.module_utils import openpgp

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'openpgp')
A = '93387DF380AEF17923D9E010A0971A202D894348'
A_SUBKEY = '8103928FDAD1D963F3FF8C4DD41DFAAF209C9F9E'
B = '8EFCD0347EBDCCF688DECDFA197C3123E05F1029'
SOURCE = 'https://mirror.example.com/linux/debian/gpg'
VARIABLE = 'docker_upstream_repo_deb_key_fingerprint'

# RFC 9580, A.2 "Sample Version 4 Ed25519Legacy Key": a bare key packet, new-format header.
RFC9580_V4 = """-----BEGIN PGP PUBLIC KEY BLOCK-----

xjMEU/NfCxYJKwYBBAHaRw8BAQdAPwmJlL3ZFu1AUxl5NOSofIBzOhKA1i+AEJku
Q+47JAY=
-----END PGP PUBLIC KEY BLOCK-----
"""
RFC9580_V4_FINGERPRINT = 'C959BDBAFA32A2F89A153B678CFDE12197965A9A'
# RFC 9580, A.3 "Sample Version 6 Certificate (Transferable Public Key)".
RFC9580_V6 = """-----BEGIN PGP PUBLIC KEY BLOCK-----

xioGY4d/4xsAAAAg+U2nu0jWCmHlZ3BqZYfQMxmZu52JGggkLq2EVD34laPCsQYf
GwoAAABCBYJjh3/jAwsJBwUVCg4IDAIWAAKbAwIeCSIhBssYbE8GCaaX5NUt+mxy
KwwfHifBilZwj2Ul7Ce62azJBScJAgcCAAAAAK0oIBA+LX0ifsDm185Ecds2v8lw
gyU2kCcUmKfvBXbAf6rhRYWzuQOwEn7E/aLwIwRaLsdry0+VcallHhSu4RN6HWaE
QsiPlR4zxP/TP7mhfVEe7XWPxtnMUMtf15OyA51YBM4qBmOHf+MZAAAAIIaTJINn
+eUBXbki+PSAld2nhJh/LVmFsS+60WyvXkQ1wpsGGBsKAAAALAWCY4d/4wKbDCIh
BssYbE8GCaaX5NUt+mxyKwwfHifBilZwj2Ul7Ce62azJAAAAAAQBIKbpGG2dWTX8
j+VjFM21J0hqWlEg+bdiojWnKfA5AQpWUWtnNwDEM0g12vYxoWM8Y81W+bHBw805
I8kWVkXU6vFOi+HWvv/ira7ofJu16NnoUkhclkUrk0mXubZvyl4GBg==
-----END PGP PUBLIC KEY BLOCK-----
"""
RFC9580_V6_FINGERPRINT = 'CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9'


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def armor(data, checksum=True):
    """DATA as an ASCII-armored public key block (with or without its CRC-24 line)."""
    body = base64.b64encode(data).decode('ascii')
    lines = [openpgp.ARMOR_BEGIN, 'Comment: made by the test', ''] + [body[i:i + 64] for i in range(0, len(body), 64)]
    if checksum:
        crc = openpgp._crc24(data)
        lines.append('=' + base64.b64encode(bytes([crc >> 16, (crc >> 8) & 0xFF, crc & 0xFF])).decode('ascii'))
    return '\n'.join(lines + [openpgp.ARMOR_END, ''])


@pytest.mark.parametrize('name, expected', [('key-a.asc', [A]), ('key-b.asc', [B]), ('keys-a-and-b.asc', [A, B])])
def test_fingerprints_are_gpgs(name, expected):
    """The primary keys' fingerprints, as gpg computes them; the signing subkeys are not reported."""
    assert openpgp.primary_fingerprints(fixture(name)) == expected


@pytest.mark.parametrize('text, expected', [(RFC9580_V4, RFC9580_V4_FINGERPRINT), (RFC9580_V6, RFC9580_V6_FINGERPRINT)])
def test_fingerprints_of_the_rfc_samples(text, expected):
    """New-format packet headers, a version 4 key (SHA-1) and a version 6 key (SHA-256)."""
    assert openpgp.primary_fingerprints(text) == [expected]


def test_windows_line_endings_and_indentation_are_read():
    text = '\r\n'.join('    ' + line for line in fixture('key-a.asc').split('\n'))
    assert openpgp.primary_fingerprints(text) == [A]


@pytest.mark.parametrize('pinned', [A, A.lower(), openpgp.grouped(A), '9338 7DF3 80AE F179 23D9  E010 A097 1A20 2D89 4348'])
def test_the_pinned_key_is_accepted(pinned):
    assert openpgp.key_problems(fixture('key-a.asc'), pinned, VARIABLE, SOURCE) == []


def test_a_v6_key_can_be_pinned():
    assert openpgp.key_problems(RFC9580_V6, RFC9580_V6_FINGERPRINT.lower(), VARIABLE, SOURCE) == []


def test_another_key_is_refused_naming_both_fingerprints_the_variable_and_the_source():
    found = openpgp.key_problems(fixture('key-b.asc'), A, VARIABLE, SOURCE)
    assert found == [
        'https://mirror.example.com/linux/debian/gpg is the key 8EFC D034 7EBD CCF6 88DE CDFA 197C 3123 E05F 1029, not the'
        ' one pinned in docker_upstream_repo_deb_key_fingerprint (9338 7DF3 80AE F179 23D9 E010 A097 1A20 2D89 4348).'
        ' Nothing was changed on this host: a repository whose key does not match the pinned one is'
        ' refused. If your mirror signs the repository with its own key, set docker_upstream_repo_deb_key_fingerprint'
        " to that key's fingerprint"]


def test_a_subkey_cannot_be_pinned_instead_of_the_primary_key():
    assert openpgp.key_problems(fixture('key-a.asc'), A_SUBKEY, VARIABLE, SOURCE)[0].startswith(SOURCE + ' is the key 9338 7DF3')


def test_the_pinned_key_with_another_one_is_refused():
    """apt (Signed-By) and rpm (gpgkey) trust every key of the file: a second key would sign for the repository too."""
    found = openpgp.key_problems(fixture('keys-a-and-b.asc'), A, VARIABLE, SOURCE)
    assert found == [
        'https://mirror.example.com/linux/debian/gpg holds the pinned key (docker_upstream_repo_deb_key_fingerprint, 9338'
        ' 7DF3 80AE F179 23D9 E010 A097 1A20 2D89 4348) and other keys too: 8EFC D034 7EBD CCF6 88DE CDFA 197C 3123 E05F'
        ' 1029. Nothing was changed on this host: apt and rpm would trust every key in the file, so only the pinned one is accepted']


def test_two_armored_blocks_are_read_as_one_file():
    assert openpgp.primary_fingerprints(fixture('key-a.asc') + fixture('key-b.asc')) == [A, B]
    assert openpgp.key_problems(fixture('key-b.asc') + fixture('key-a.asc'), A, VARIABLE, SOURCE)[0].startswith(
        SOURCE + ' holds the pinned key')


def _damaged(text):
    """TEXT with one character of its base64 body changed."""
    lines = text.split('\n')
    index = next(i for i, line in enumerate(lines) if line.startswith('mDMEa'))
    line = lines[index]
    lines[index] = line[:20] + ('A' if line[20] != 'A' else 'B') + line[21:]
    return '\n'.join(lines)


UNUSABLE = [
    ('an HTML page', '<html><body>404 Not Found</body></html>', 'no line -----BEGIN PGP PUBLIC KEY BLOCK-----'),
    ('empty', '', 'no line -----BEGIN PGP PUBLIC KEY BLOCK-----'),
    ('a private key block', '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlFgEZ\n-----END PGP PRIVATE KEY BLOCK-----\n',
     'it is a private key block, not a public key'),
    ('damaged (armor checksum)', _damaged(fixture('key-a.asc')), 'the armor checksum does not match its data'),
    ('cut short', '\n'.join(fixture('key-a.asc').split('\n')[:4]), 'the armor has no line -----END PGP PUBLIC KEY BLOCK-----'),
    ('not base64', openpgp.ARMOR_BEGIN + '\n\n!!!!\n' + openpgp.ARMOR_END, 'the armored data is not valid base64'),
    ('a packet cut short', armor(base64.b64decode(''.join(fixture('key-a.asc').split('\n')[2:5]))[:80], checksum=False),
     'a packet is truncated'),
    ('not a packet', armor(b'\x01\x02\x03'), 'byte 0 does not start an OpenPGP packet'),
    ('no key packet', armor(b'\xb4\x04test'), 'it holds no public key'),  # a user ID packet alone (tag 13)
    ('a secret key packet', armor(b'\x94\x01\x04'), 'it holds secret key material, not only a public key'),
    ('a version 3 key', armor(b'\x99\x00\x01\x03'), 'a key has version 3; only keys of version 4, 5 or 6'),
    ('a partial body length', armor(b'\xc6\xe1' + b'\x04' * 2), 'a packet uses a partial body length'),
]


@pytest.mark.parametrize('text, reason', [(text, reason) for dummy, text, reason in UNUSABLE], ids=[case[0] for case in UNUSABLE])
def test_unusable_text_is_refused_with_the_reason(text, reason):
    found = openpgp.key_problems(text, A, VARIABLE, SOURCE)
    assert len(found) == 1 and found[0].startswith(SOURCE + ' is not a usable ASCII-armored OpenPGP public key: '), found
    assert reason in found[0]


def test_bytes_are_refused():
    assert 'expected text, got bytes' in openpgp.key_problems(fixture('key-a.asc').encode('ascii'), A, VARIABLE, SOURCE)[0]


@pytest.mark.parametrize('pinned', ['', '0EBFCD88', '8D81803C0EBFCD88', '0x' + A, A[:-1], A + '\n', A.replace('9', 'G'), None])
def test_a_pinned_value_that_is_no_fingerprint_is_reported(pinned):
    assert openpgp.key_problems(fixture('key-a.asc'), pinned, VARIABLE, SOURCE) == [
        '%s must be an OpenPGP key fingerprint, 40 hexadecimal digits (or 64), optionally in groups of four separated'
        ' by spaces' % VARIABLE]


@pytest.mark.parametrize('value', [A, A.lower(), openpgp.grouped(A), '9DC8 5822 9FC7 DD38 854A  E2D8 8D81 803C 0EBF CD88',
                                   RFC9580_V6_FINGERPRINT])
def test_is_fingerprint(value):
    assert openpgp.is_fingerprint(value)
    assert openpgp.normalize_fingerprint(value) == value.replace(' ', '').upper()


@pytest.mark.parametrize('value', ['', ' ' + A, A + ' ', A + '\n', 'A\tB', '0x' + A, A[:16], A + 'A', RFC9580_V6_FINGERPRINT[:-1],
                                   '9DC8   5822' + A[8:], None, 5, [A]])
def test_is_not_fingerprint(value):
    assert not openpgp.is_fingerprint(value)
