# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An in-memory registry HTTP API on a loopback port, for the retention tests (registry_api, registry_prune).

It answers as distribution 3 does for what retention uses: GET /v2/, the catalog and tag lists with
pagination (n, last, Link), manifest GET/HEAD by tag or digest (Docker-Content-Digest, Content-Type), blob
GET (optionally as a 307 to a pre-signed-looking URL that refuses an Authorization header, as S3 does),
manifest DELETE by digest (202, or 405 UNSUPPORTED when deletes are off), Basic authentication.
Every request is logged as (method, path, headers).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import contextlib
import hashlib
import json
import threading

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'


def digest_of(data):
    return 'sha256:' + hashlib.sha256(data).hexdigest()


def fake_digest(text):
    return digest_of(text.encode('utf-8'))


class FakeRegistry(object):

    def __init__(self, username=None, password=None, delete_enabled=True, page_size=1000, redirect_blobs=False):
        self.credentials = None
        if username is not None:
            self.credentials = 'Basic ' + base64.b64encode(('%s:%s' % (username, password)).encode()).decode()
        self.delete_enabled = delete_enabled
        self.page_size = page_size
        self.redirect_blobs = redirect_blobs
        self.repos = {}
        self.blobs = {}
        self.log = []
        self.lock = threading.Lock()
        self.server = None
        self.url = None

    # -- content -------------------------------------------------------------------------------------------

    def _repo(self, name):
        return self.repos.setdefault(name, dict(tags={}, manifests={}))

    def put_manifest(self, repo, document, tag=None):
        data = json.dumps(document, sort_keys=True).encode()
        digest = digest_of(data)
        self._repo(repo)['manifests'][digest] = (document['mediaType'], data)
        if tag:
            self._repo(repo)['tags'][tag] = digest
        return digest

    def image(self, repo, tag, created, layers=(), layer_size=1000, config_extra=None, annotations=None):
        """Push an image: a config with CREATED (left out when None) and LAYERS (names: the same name is the same
        blob, also across repositories). Returns the manifest's digest."""
        config = dict(architecture='amd64', os='linux', rootfs=dict(type='layers', diff_ids=[]),
                      tag_for_uniqueness='%s:%s' % (repo, tag))
        if created is not None:
            config['created'] = created
        config.update(config_extra or {})
        config_data = json.dumps(config, sort_keys=True).encode()
        config_digest = digest_of(config_data)
        self.blobs[config_digest] = config_data
        document = dict(schemaVersion=2, mediaType=OCI_MANIFEST,
                        config=dict(mediaType=OCI_CONFIG, digest=config_digest, size=len(config_data)),
                        layers=[dict(mediaType=OCI_LAYER, digest=fake_digest(layer), size=layer_size)
                                for layer in layers])
        if annotations:
            document['annotations'] = annotations
        return self.put_manifest(repo, document, tag)

    def index(self, repo, tag, children, annotations=None):
        """Push an index over the manifest digests CHILDREN (already in REPO)."""
        document = dict(schemaVersion=2, mediaType=OCI_INDEX, manifests=[
            dict(mediaType=OCI_MANIFEST, digest=child, size=len(self.repos[repo]['manifests'][child][1]),
                 platform=dict(architecture='arch%d' % position, os='linux'))
            for position, child in enumerate(children)])
        if annotations:
            document['annotations'] = annotations
        return self.put_manifest(repo, document, tag)

    def tag(self, repo, tag, digest):
        self._repo(repo)['tags'][tag] = digest

    def tags(self, repo):
        return dict(self.repos[repo]['tags'])

    def has_manifest(self, repo, digest):
        return digest in self.repos[repo]['manifests']

    def requests(self, method=None):
        return [entry for entry in self.log if method is None or entry[0] == method]

    # -- server --------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def running(self):
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

            def do_GET(self):  # pylint: disable=invalid-name
                registry.handle(self, 'GET')

            def do_HEAD(self):  # pylint: disable=invalid-name
                registry.handle(self, 'HEAD')

            def do_DELETE(self):  # pylint: disable=invalid-name
                registry.handle(self, 'DELETE')

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        thread = threading.Thread(target=self.server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, handler, method):
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        headers = dict((key.lower(), value) for key, value in handler.headers.items())
        with self.lock:
            self.log.append((method, handler.path, headers))
        path = parts.path
        if path.startswith('/s3/'):
            # A pre-signed URL: a second credential is refused, as S3 does.
            if 'authorization' in headers:
                return self.reply(handler, 400, {'errors': [{'code': 'InvalidArgument',
                                                            'message': 'Only one auth mechanism allowed'}]})
            data = self.blobs.get(path[len('/s3/'):])
            return self.reply(handler, 200 if data else 404, raw=data or b'{}')
        if self.credentials and headers.get('authorization') != self.credentials:
            return self.reply(handler, 401, {'errors': [{'code': 'UNAUTHORIZED', 'message': 'authentication required'}]},
                              extra={'WWW-Authenticate': 'Basic realm="Registry Realm"'})
        if path == '/v2/':
            return self.reply(handler, 200, {})
        if path == '/v2/_catalog':
            return self.page(handler, '/v2/_catalog', 'repositories', sorted(self.repos), query, {})
        if not path.startswith('/v2/'):
            return self.reply(handler, 404, {})
        rest = path[len('/v2/'):]
        for marker in ('/tags/list', '/manifests/', '/blobs/'):
            if marker in rest:
                name, dummy, reference = rest.rpartition(marker) if marker != '/tags/list' else (rest[:-len(marker)], 0, '')
                break
        else:
            return self.reply(handler, 404, {})
        repo = self.repos.get(name)
        unknown = {'errors': [{'code': 'NAME_UNKNOWN', 'message': 'repository name not known to registry'}]}
        if repo is None:
            return self.reply(handler, 404, unknown)
        if marker == '/tags/list':
            return self.page(handler, '/v2/%s/tags/list' % name, 'tags', sorted(repo['tags']), query, {'name': name})
        if marker == '/blobs/':
            if self.redirect_blobs:
                return self.reply(handler, 307, raw=b'', extra={'Location': '/s3/%s?X-Amz-Signature=x' % reference})
            data = self.blobs.get(reference)
            return self.reply(handler, 200 if data else 404, raw=data or b'{}')
        digest = repo['tags'].get(reference, reference)
        if method == 'DELETE':
            if not self.delete_enabled:
                return self.reply(handler, 405, {'errors': [{'code': 'UNSUPPORTED', 'message': 'The operation is'
                                                            ' unsupported.'}]})
            if not reference.startswith('sha256:'):
                return self.reply(handler, 400, {'errors': [{'code': 'DIGEST_INVALID', 'message': 'bad'}]})
            with self.lock:
                if digest not in repo['manifests']:
                    return self.reply(handler, 404, {'errors': [{'code': 'MANIFEST_UNKNOWN', 'message': 'unknown'}]})
                del repo['manifests'][digest]
                for tag in [tag for tag, value in repo['tags'].items() if value == digest]:
                    del repo['tags'][tag]
            return self.reply(handler, 202, raw=b'')
        entry = repo['manifests'].get(digest)
        if entry is None:
            return self.reply(handler, 404, {'errors': [{'code': 'MANIFEST_UNKNOWN', 'message': 'unknown'}]})
        media_type, data = entry
        return self.reply(handler, 200, raw=data, content_type=media_type,
                          extra={'Docker-Content-Digest': digest}, head=method == 'HEAD')

    def page(self, handler, path, key, items, query, extra_body):
        size = min(int(query.get('n', ['100'])[0]), self.page_size)
        last = query.get('last', [None])[0]
        if last is not None:
            items = [item for item in items if item > last]
        body = dict(extra_body)
        body[key] = items[:size]
        headers = {}
        if len(items) > size:
            headers['Link'] = '<%s?last=%s&n=%d>; rel="next"' % (path, items[size - 1], size)
        return self.reply(handler, 200, body, extra=headers)

    @staticmethod
    def reply(handler, status, body=None, raw=None, content_type='application/json', extra=None, head=False):
        data = raw if raw is not None else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header('Content-Type', content_type)
        handler.send_header('Content-Length', str(len(data)))
        for key, value in (extra or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        if not head:
            handler.wfile.write(data)
