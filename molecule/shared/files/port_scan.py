# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TCP connect scan of every port of one host; prints {"host", "tried", "open": [...], "filtered": N} as JSON.

A port is open when a connection is accepted; refused ports are closed; a port that neither accepts
nor refuses within the timeout counts as filtered (a firewall dropping packets)."""
import concurrent.futures
import json
import socket
import sys


def probe(address, port, timeout):
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return 'open'
    except ConnectionRefusedError:
        return 'closed'
    except OSError:
        return 'filtered'


def main(host, timeout=2.0):
    address = socket.gethostbyname(host)
    ports = range(1, 65536)
    with concurrent.futures.ThreadPoolExecutor(max_workers=256) as pool:
        states = list(pool.map(lambda port: probe(address, port, timeout), ports))
    print(json.dumps({
        'host': host,
        'address': address,
        'tried': len(states),
        'open': [port for port, state in zip(ports, states) if state == 'open'],
        'filtered': states.count('filtered'),
    }))


if __name__ == '__main__':
    main(sys.argv[1])
