# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fingerprints of an ASCII-armored OpenPGP public key, and whether they are the pinned one.

A repository's signing key fetched from the repository itself proves nothing: whoever can change the
repository can change the key. The docker role therefore compares the key it downloads with a pinned
fingerprint before it installs the key or adds the repository. Plain Python (no gpg on the controller or
the host): the armor is decoded (its CRC-24 checked when present), the packets are walked (RFC 9580,
section 4.2: old and new packet headers) and each primary key's fingerprint is computed from its packet
(section 5.5.4: SHA-1 for version 4 keys, SHA-256 for versions 5 and 6). Subkeys are not reported: a
fingerprint pins the primary key that the repository's publisher documents.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import hashlib
import re

ARMOR_BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----'
ARMOR_END = '-----END PGP PUBLIC KEY BLOCK-----'
TAG_SECRET_KEY = 5
TAG_PUBLIC_KEY = 6
TAG_SECRET_SUBKEY = 7
TAG_PUBLIC_SUBKEY = 14
# A fingerprint as written by gpg and in documentation: 40 (version 4) or 64 (versions 5 and 6) hex digits,
# optionally in groups separated by single spaces (9DC8 5822 9FC7 ...). Upper or lower case.
_FINGERPRINT = re.compile(r'(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})\Z')
_GROUPED = re.compile(r'[0-9A-Fa-f]+(?: {1,2}[0-9A-Fa-f]+)*\Z')


class OpenPGPError(ValueError):
    """The text is not a usable ASCII-armored OpenPGP public key."""


def normalize_fingerprint(value):
    """VALUE as 40 or 64 upper-case hex digits without spaces, or None when it is not a fingerprint."""
    if not isinstance(value, str) or not _GROUPED.match(value):
        return None
    compact = value.replace(' ', '')
    return compact.upper() if _FINGERPRINT.match(compact) else None


def is_fingerprint(value):
    """An OpenPGP key fingerprint: 40 or 64 hex digits, optionally grouped with spaces."""
    return normalize_fingerprint(value) is not None


def _crc24(data):
    crc = 0xB704CE
    for byte in bytearray(data):
        crc ^= byte << 16
        for dummy in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def dearmor(text):
    """The packets of every public key block in TEXT, as bytes. Raises OpenPGPError."""
    if not isinstance(text, str):
        raise OpenPGPError('expected text, got %s' % ('bytes' if isinstance(text, bytes) else 'another type'))
    lines = [line.strip() for line in text.replace('\r\n', '\n').split('\n')]
    if ARMOR_BEGIN not in lines:
        if any(line.startswith('-----BEGIN PGP PRIVATE KEY BLOCK-----') for line in lines):
            raise OpenPGPError('it is a private key block, not a public key')
        raise OpenPGPError('no line %s (an ASCII-armored public key is expected)' % ARMOR_BEGIN)
    data = bytearray()
    index = 0
    while index < len(lines):
        if lines[index] != ARMOR_BEGIN:
            index += 1
            continue
        index += 1
        # Armor headers (Version:, Comment:, ...) end at the first empty line.
        while index < len(lines) and lines[index] and ':' in lines[index] and lines[index] != ARMOR_END:
            index += 1
        body = []
        checksum = None
        while index < len(lines) and lines[index] != ARMOR_END:
            line = lines[index]
            if line.startswith('=') and len(line) == 5:
                checksum = line[1:]
            elif line:
                body.append(line)
            index += 1
        if index >= len(lines):
            raise OpenPGPError('the armor has no line %s' % ARMOR_END)
        try:
            block = base64.b64decode(''.join(body).encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise OpenPGPError('the armored data is not valid base64')
        if checksum is not None:
            try:
                expected = base64.b64decode(checksum.encode('ascii'), validate=True)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                raise OpenPGPError('the armor checksum is not valid base64')
            if len(expected) != 3 or int(binascii.hexlify(expected), 16) != _crc24(block):
                raise OpenPGPError('the armor checksum does not match its data (a damaged or truncated download)')
        data.extend(block)
        index += 1
    if not data:
        raise OpenPGPError('the key block is empty')
    return bytes(data)


def packets(data):
    """(tag, body) for each packet of DATA. Raises OpenPGPError on a malformed or truncated packet."""
    data = bytearray(data)
    offset = 0
    while offset < len(data):
        header = data[offset]
        if not header & 0x80:
            raise OpenPGPError('byte %d does not start an OpenPGP packet' % offset)
        offset += 1
        if header & 0x40:  # new format: the tag in 6 bits, then a one-, two- or five-octet length
            tag = header & 0x3F
            if offset >= len(data):
                raise OpenPGPError('a packet header is truncated')
            first = data[offset]
            if first < 192:
                length, offset = first, offset + 1
            elif first < 224:
                if offset + 2 > len(data):
                    raise OpenPGPError('a packet header is truncated')
                length, offset = ((first - 192) << 8) + data[offset + 1] + 192, offset + 2
            elif first == 255:
                if offset + 5 > len(data):
                    raise OpenPGPError('a packet header is truncated')
                length, offset = int(binascii.hexlify(data[offset + 1:offset + 5]), 16), offset + 5
            else:
                # Partial body lengths are only allowed for data packets, never in a key.
                raise OpenPGPError('a packet uses a partial body length, which a public key never does')
        else:  # old format: the tag in 4 bits, the length's size in 2
            tag = (header >> 2) & 0x0F
            size = {0: 1, 1: 2, 2: 4}.get(header & 0x03)
            if size is None:
                length = len(data) - offset
            else:
                if offset + size > len(data):
                    raise OpenPGPError('a packet header is truncated')
                length, offset = int(binascii.hexlify(data[offset:offset + size]), 16), offset + size
        if offset + length > len(data):
            raise OpenPGPError('a packet is truncated (a damaged or incomplete download)')
        yield tag, bytes(data[offset:offset + length])
        offset += length


def key_fingerprint(body):
    """The fingerprint of a public key packet's BODY, in upper-case hex. Raises OpenPGPError."""
    if not body:
        raise OpenPGPError('a key packet is empty')
    version = bytearray(body)[0]
    if version == 4:
        digest = hashlib.sha1(b'\x99' + len(body).to_bytes(2, 'big') + body)
    elif version in (5, 6):
        digest = hashlib.sha256((b'\x9a' if version == 5 else b'\x9b') + len(body).to_bytes(4, 'big') + body)
    else:
        raise OpenPGPError('a key has version %d; only keys of version 4, 5 or 6 have a usable fingerprint' % version)
    return digest.hexdigest().upper()


def primary_fingerprints(text):
    """The fingerprints of the primary keys in the ASCII-armored public key TEXT, in order. Raises OpenPGPError."""
    found = []
    for tag, body in packets(dearmor(text)):
        if tag in (TAG_SECRET_KEY, TAG_SECRET_SUBKEY):
            raise OpenPGPError('it holds secret key material, not only a public key')
        if tag == TAG_PUBLIC_KEY:
            found.append(key_fingerprint(body))
    if not found:
        raise OpenPGPError('it holds no public key')
    return found


def grouped(fingerprint):
    """A fingerprint in groups of four, as gpg prints it."""
    return ' '.join(fingerprint[index:index + 4] for index in range(0, len(fingerprint), 4))


def key_problems(text, fingerprint, variable='fingerprint', source='the key'):
    """Messages for everything that keeps TEXT from being the one pinned key FINGERPRINT; empty when it is.

    TEXT must hold exactly one primary key, whose fingerprint is FINGERPRINT: an extra key would be trusted
    too by apt (Signed-By) and rpm (gpgkey). VARIABLE names the setting holding FINGERPRINT, SOURCE where
    TEXT came from; both are put in the messages.
    """
    expected = normalize_fingerprint(fingerprint)
    if expected is None:
        return ['%s must be an OpenPGP key fingerprint, 40 hexadecimal digits (or 64), optionally in groups of'
                ' four separated by spaces' % variable]
    try:
        found = primary_fingerprints(text)
    except OpenPGPError as error:
        return ['%s is not a usable ASCII-armored OpenPGP public key: %s. Nothing was changed on this host: check the URL'
                ' (it must serve the repository\'s signing key)' % (source, error)]
    if expected not in found:
        return ['%s is the key %s, not the one pinned in %s (%s). Nothing was changed on this host:'
                ' a repository whose key does not match the pinned one is refused. If your mirror signs the'
                ' repository with its own key, set %s to that key\'s fingerprint'
                % (source, ', '.join(grouped(key) for key in found), variable, grouped(expected), variable)]
    others = [key for key in found if key != expected]
    if others:
        return ['%s holds the pinned key (%s, %s) and other keys too: %s. Nothing was changed on this host: apt and rpm would'
                ' trust every key in the file, so only the pinned one is accepted'
                % (source, variable, grouped(expected), ', '.join(grouped(key) for key in others))]
    return []
