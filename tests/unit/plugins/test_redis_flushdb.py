# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/registry/files/redis_flushdb.py (run on the host after a garbage collection with a Redis cache): the commands
it sends, against a small RESP server that records them, and its exit status when Redis refuses or is away."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import subprocess
import sys
import threading

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'registry', 'files', 'redis_flushdb.py')


class FakeRedis(object):
    """Answers each command +OK, or -ERR for a refused AUTH; records the commands as lists of strings."""

    def __init__(self, password=None):
        self.password = password
        self.commands = []
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve)
        self.thread.daemon = True
        self.thread.start()

    def serve(self):
        conn, dummy = self.sock.accept()
        stream = conn.makefile('rb')
        while True:
            line = stream.readline()
            if not line:
                break
            count = int(line[1:])
            args = []
            for dummy in range(count):
                length = int(stream.readline()[1:])
                args.append(stream.read(length + 2)[:-2].decode())
            self.commands.append(args)
            if args[0] == 'AUTH' and args[1] != self.password:
                conn.sendall(b'-WRONGPASS invalid username-password pair\r\n')
            else:
                conn.sendall(b'+OK\r\n')
        conn.close()


def run(env):
    full = dict(os.environ, **env)
    return subprocess.run([sys.executable, SCRIPT], env=full, capture_output=True, text=True, timeout=30, check=False)


def test_flushes_the_registry_database_with_its_password():
    server = FakeRedis(password='s3cret')
    result = run({'REDIS_ADDR': '127.0.0.1:%d' % server.port, 'REDIS_PASSWORD': 's3cret', 'REDIS_DB': '3'})
    server.thread.join(5)
    assert result.returncode == 0, result.stderr
    assert server.commands == [['AUTH', 's3cret'], ['SELECT', '3'], ['FLUSHDB']]
    assert 's3cret' not in result.stdout + result.stderr


def test_without_a_password_no_auth():
    server = FakeRedis()
    result = run({'REDIS_ADDR': '127.0.0.1:%d' % server.port, 'REDIS_PASSWORD': '', 'REDIS_DB': ''})
    server.thread.join(5)
    assert result.returncode == 0, result.stderr
    assert server.commands == [['SELECT', '0'], ['FLUSHDB']]


def test_a_refused_password_fails_and_flushes_nothing():
    server = FakeRedis(password='right')
    result = run({'REDIS_ADDR': '127.0.0.1:%d' % server.port, 'REDIS_PASSWORD': 'wrong', 'REDIS_DB': '0'})
    server.thread.join(5)
    assert result.returncode == 1
    assert 'WRONGPASS' in result.stderr
    assert ['FLUSHDB'] not in server.commands


def test_redis_away_fails():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    result = run({'REDIS_ADDR': '127.0.0.1:%d' % port, 'REDIS_PASSWORD': '', 'REDIS_DB': '0'})
    assert result.returncode == 1
    assert 'could not empty Redis database 0' in result.stderr


@pytest.mark.parametrize('addr', ['', 'redis', 'redis:port', ':6379'])
def test_a_bad_address_is_refused(addr):
    result = run({'REDIS_ADDR': addr})
    assert result.returncode == 2
    assert 'REDIS_ADDR must be host:port' in result.stderr
