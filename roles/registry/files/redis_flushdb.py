# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Empty the registry's Redis database (its blob descriptor cache) after a garbage collection.

Reads REDIS_ADDR (host:port), REDIS_PASSWORD (may be empty) and REDIS_DB from the environment, never from the
command line (ps would show it). Speaks RESP directly: the host needs no Redis client. Exit 0 on success.
"""

from __future__ import absolute_import, division, print_function

import os
import socket
import sys


def command(*args):
    out = b'*%d\r\n' % len(args)
    for arg in args:
        data = arg.encode('utf-8') if not isinstance(arg, bytes) else arg
        out += b'$%d\r\n%s\r\n' % (len(data), data)
    return out


def reply(stream):
    line = stream.readline()
    if not line:
        raise RuntimeError('the connection closed')
    if line.startswith(b'-'):
        raise RuntimeError(line[1:].strip().decode('utf-8', 'replace'))
    return line.strip()


def main():
    addr = os.environ.get('REDIS_ADDR', '')
    host, dummy, port = addr.rpartition(':')
    host = host.strip('[]')
    if not host or not port.isdigit():
        sys.stderr.write('REDIS_ADDR must be host:port, not %r\n' % addr)
        return 2
    password = os.environ.get('REDIS_PASSWORD', '')
    database = os.environ.get('REDIS_DB', '0') or '0'
    try:
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            stream = conn.makefile('rb')
            if password:
                conn.sendall(command('AUTH', password))
                reply(stream)
            conn.sendall(command('SELECT', database))
            reply(stream)
            conn.sendall(command('FLUSHDB'))
            reply(stream)
    except (OSError, RuntimeError) as exc:
        sys.stderr.write('could not empty Redis database %s at %s: %s\n' % (database, addr, exc))
        return 1
    print('emptied Redis database %s at %s' % (database, addr))
    return 0


if __name__ == '__main__':
    sys.exit(main())
