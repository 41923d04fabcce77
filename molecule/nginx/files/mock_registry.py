# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for the registry behind nginx, for the nginx role's Molecule scenario.

Usage: mock_registry.py ADDRESS PORT STATE_FILE

  GET /v2/...               401 with WWW-Authenticate and Docker-Distribution-Api-Version, as the registry does
  GET /echo...              200, JSON: method, path, the request's headers (lower-case name: list of
                            values) and the peer's port
  PATCH|PUT|POST /upload?id=X  reads the body as it arrives (Content-Length or chunked) and throws it away;
                            while reading, writes {"id", "state", "bytes"} to STATE_FILE; answers with JSON:
                            bytes, sha256, and the seconds between the first and the last body byte
  GET /slow?seconds=N       answers 200 after N seconds
  GET /blob?size=N          N zero bytes
"""

import hashlib
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHUNK = 64 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive, so that nginx can reuse its connections
    server_version = 'mock-registry'
    state_file = None

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else (json.dumps(body) + '\n').encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path.startswith('/v2/'):
            self.reply(401, {'errors': [{'code': 'UNAUTHORIZED', 'message': 'authentication required'}]}, {
                'Content-Type': 'application/json',
                'Docker-Distribution-Api-Version': 'registry/2.0',
                'WWW-Authenticate': 'Basic realm="Registry Realm"',
            })
        elif url.path.startswith('/echo'):
            self.reply(200, {
                'method': self.command,
                'path': self.path,
                'headers': self.header_lists(),
                'peer_port': self.client_address[1],
            })
        elif url.path == '/slow':
            seconds = float(query.get('seconds', ['1'])[0])
            time.sleep(seconds)
            self.reply(200, {'slept': seconds})
        elif url.path == '/blob':
            size = int(query.get('size', ['0'])[0])
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(size))
            self.end_headers()
            block = bytes(CHUNK)
            while size > 0:
                self.wfile.write(block[:min(size, CHUNK)])
                size -= CHUNK
        else:
            self.reply(404, {'error': 'not found'})

    def header_lists(self):
        """The request's headers: lower-case name to the list of its values, in order."""
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        return headers

    def body_chunks(self):
        """Yield the request body as it arrives, decoding chunked transfer encoding."""
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass  # trailers
                    return
                while size > 0:
                    data = self.rfile.read(min(size, CHUNK))
                    if not data:
                        raise ValueError('body ended early')
                    size -= len(data)
                    yield data
                self.rfile.readline()
        else:
            remaining = int(self.headers.get('Content-Length', '0'))
            while remaining > 0:
                data = self.rfile.read(min(remaining, CHUNK))
                if not data:
                    raise ValueError('body ended early')
                remaining -= len(data)
                yield data

    def write_state(self, upload_id, state, received):
        tmp = self.state_file + '.tmp'
        with open(tmp, 'w') as handle:
            json.dump({'id': upload_id, 'state': state, 'bytes': received}, handle)
        os.replace(tmp, self.state_file)

    def do_upload(self):
        url = urlsplit(self.path)
        if url.path != '/upload':
            self.reply(404, {'error': 'not found'})
            return
        upload_id = parse_qs(url.query).get('id', [''])[0]
        digest = hashlib.sha256()
        received, first, last, written = 0, None, None, 0.0
        self.write_state(upload_id, 'waiting', 0)
        for data in self.body_chunks():
            last = time.monotonic()
            if first is None:
                first = last
            received += len(data)
            digest.update(data)
            if last - written >= 0.1:
                self.write_state(upload_id, 'receiving', received)
                written = last
        self.write_state(upload_id, 'done', received)
        self.reply(201, {
            'bytes': received,
            'sha256': digest.hexdigest(),
            'body_seconds': round((last or 0) - (first or 0), 3),
            'transfer_encoding': self.headers.get('Transfer-Encoding', ''),
        })

    do_PATCH = do_PUT = do_POST = do_upload


def main(argv):
    address, port, Handler.state_file = argv[1], int(argv[2]), argv[3]
    server = ThreadingHTTPServer((address, port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == '__main__':
    main(sys.argv)
