# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Serve a directory over HTTPS (the molecule docker scenario's stand-in for download.docker.com).

Usage: dockyard-test-mirror ROOT CERTIFICATE KEY PORT
"""
import functools
import http.server
import ssl
import sys


def main():
    root, certificate, key, port = sys.argv[1:5]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
    server = http.server.ThreadingHTTPServer(('', int(port)), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
