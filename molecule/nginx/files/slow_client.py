# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slow clients against nginx, to time its client_header_timeout and client_body_timeout.

Usage: slow_client.py NAME CAFILE [MAX_SECONDS]

Runs these at once, each on its own connection to NAME, and prints JSON: per case, the seconds until
nginx closed the connection (or answered), and the status line it sent, if any.
  header_https   TLS (SNI NAME), half a request header, then nothing
  header_http    port 80, half a request header, then nothing
  body_https     TLS, a whole POST header announcing 1000 bytes of body, 10 of them, then nothing
  control_https  TLS, half a request header, 2 s of nothing, then the rest: a slow client within the
                 timeout, which must get its answer (so a close above is nginx's doing, not the client's)
MAX_SECONDS (default 90) bounds each case; a case still open then reports "open": true.
"""

import json
import socket
import ssl
import sys
import threading
import time

PARTIAL = 'GET /echo HTTP/1.1\r\nHost: {name}\r\n'


def connect(name, port, cafile):
    sock = socket.create_connection((name, port), timeout=5)
    if port == 443:
        context = ssl.create_default_context(cafile=cafile)
        sock = context.wrap_socket(sock, server_hostname=name)
    return sock


def wait_for_close(sock, start, limit):
    """Read until the server closes or answers; return (seconds, status line, still open)."""
    sock.settimeout(max(0.1, limit - (time.monotonic() - start)))
    data = b''
    try:
        while b'\r\n' not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return round(time.monotonic() - start, 2), '', True
    except (OSError, ssl.SSLError):
        pass
    return round(time.monotonic() - start, 2), data.split(b'\r\n', 1)[0].decode('latin-1'), False


def case(kind, name, cafile, limit, results):
    port = 80 if kind == 'header_http' else 443
    try:
        sock = connect(name, port, cafile)
    except (OSError, ssl.SSLError) as error:
        results[kind] = {'error': str(error)}
        return
    start = time.monotonic()
    if kind in ('header_https', 'header_http'):
        sock.sendall(PARTIAL.format(name=name).encode())
    elif kind == 'body_https':
        sock.sendall(('POST /upload?id=slow-body HTTP/1.1\r\nHost: {name}\r\nContent-Length: 1000\r\n\r\n'
                      .format(name=name)).encode() + b'x' * 10)
    else:
        sock.sendall(PARTIAL.format(name=name).encode())
        time.sleep(2)
        sock.sendall(b'\r\n')
    seconds, status, still_open = wait_for_close(sock, start, limit)
    sock.close()
    results[kind] = {'seconds': seconds, 'status': status, 'open': still_open}


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    name, cafile = argv[1], argv[2]
    limit = float(argv[3]) if len(argv) == 4 else 90.0
    results = {}
    threads = [threading.Thread(target=case, args=(kind, name, cafile, limit, results))
               for kind in ('header_https', 'header_http', 'body_https', 'control_https')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
