#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Data for the retention and garbage collection step (issue 14, bench/run.sh step 8). Python stdlib only,
except `s3` (boto3, which the S3 server's container has).

Usage:
  retention.py fill PREFIX TAGS REPOS [LAYER_KIB]   ON the registry host: push TAGS tags spread evenly over the
      repositories PREFIX/repo-0 ... PREFIX/repo-<REPOS-1>, each tag its own small image (a config with its own
      `created` time, one second apart, and one layer of random bytes, LAYER_KIB KiB; 4 by default), straight to
      the registry's API on http://127.0.0.1:5000 (monolithic uploads: POST, then PUT ?digest=; then the manifest
      PUT), 8 connections at a time, kept alive. JSON: tags, requests, seconds, bytes.
  retention.py cpu                                 ON the registry host: CPU seconds the registry's process has used
      (user + system), for the difference around a run.
  retention.py s3 ENDPOINT BUCKET [wipe]           the bucket's objects: count and bytes, JSON (with `wipe`:
      deletes them all first, and counts what is left).
Environment: BENCH_USER, BENCH_PASSWORD (the pushing user), BENCH_REGISTRY_CONTAINER (registry), and for `s3`
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib
import http.client
import json
import os
import queue
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

USER = os.environ.get('BENCH_USER', 'bench')
PASSWORD = os.environ.get('BENCH_PASSWORD', '')
CONTAINER = os.environ.get('BENCH_REGISTRY_CONTAINER', 'registry')
HOST, PORT = '127.0.0.1', 5000
CONNECTIONS = 8
MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json'
CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json'
LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip'
# The images' creation times: one second apart from here, so that keep_last has a strict order.
BASE_TIME = 1767225600  # 2026-01-01T00:00:00Z


class Pusher(object):
    """One kept-alive connection to the registry, with Basic credentials; counts its requests."""

    def __init__(self):
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        token = base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
        self.headers = {'Authorization': 'Basic ' + token}
        self.requests = 0

    def request(self, method, path, body=None, headers=None, expect=(200, 201, 202)):
        all_headers = dict(self.headers, **(headers or {}))
        if body is not None:
            all_headers['Content-Length'] = str(len(body))
        self.connection.request(method, path, body=body, headers=all_headers)
        response = self.connection.getresponse()
        data = response.read()
        self.requests += 1
        if response.status not in expect:
            raise RuntimeError('%s %s: %d %s' % (method, path, response.status, data[:300]))
        return response

    def blob(self, repository, data):
        digest = 'sha256:' + hashlib.sha256(data).hexdigest()
        location = self.request('POST', '/v2/%s/blobs/uploads/' % repository, body=b'').getheader('Location')
        parts = urlsplit(location)
        path = parts.path + '?' + (parts.query + '&' if parts.query else '') + 'digest=' + digest
        self.request('PUT', path, body=data, headers={'Content-Type': 'application/octet-stream'})
        return digest

    def image(self, repository, tag, created, layer_kib):
        layer = os.urandom(layer_kib * 1024)
        layer_digest = self.blob(repository, layer)
        config = json.dumps({
            'architecture': 'amd64', 'os': 'linux',
            'created': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(created)),
            'config': {'Labels': {'bench.tag': '%s:%s' % (repository, tag)}},
            'rootfs': {'type': 'layers', 'diff_ids': ['sha256:' + hashlib.sha256(layer).hexdigest()]},
        }, sort_keys=True).encode()
        config_digest = self.blob(repository, config)
        manifest = json.dumps({
            'schemaVersion': 2, 'mediaType': MANIFEST_TYPE,
            'config': {'mediaType': CONFIG_TYPE, 'size': len(config), 'digest': config_digest},
            'layers': [{'mediaType': LAYER_TYPE, 'size': len(layer), 'digest': layer_digest}],
        }, sort_keys=True).encode()
        self.request('PUT', '/v2/%s/manifests/%s' % (repository, tag), body=manifest,
                     headers={'Content-Type': MANIFEST_TYPE})
        return len(layer) + len(config) + len(manifest)


def cmd_fill(prefix, tags, repos, layer_kib):
    work = queue.Queue()
    for index in range(tags):
        # Round robin over the repositories, so that each holds tags // repos (or one more).
        work.put(('%s/repo-%d' % (prefix, index % repos), 'build-%05d' % index, BASE_TIME + index))
    totals = {'requests': 0, 'bytes': 0, 'images': 0}
    errors = []
    lock = threading.Lock()

    def worker():
        pusher = Pusher()
        pushed = 0
        try:
            while True:
                try:
                    repository, tag, created = work.get_nowait()
                except queue.Empty:
                    break
                pushed += pusher.image(repository, tag, created, layer_kib)
                with lock:
                    totals['images'] += 1
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(str(exc))
        with lock:
            totals['requests'] += pusher.requests
            totals['bytes'] += pushed

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for dummy in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    if errors:
        raise RuntimeError('filling failed: %s' % errors[0])
    return {'prefix': prefix, 'tags': tags, 'repositories': repos, 'layer_kib': layer_kib, 'images': totals['images'],
            'requests': totals['requests'], 'bytes': totals['bytes'], 'seconds': round(seconds, 2)}


def cmd_cpu():
    pid = subprocess.check_output(['docker', 'inspect', '--format', '{{.State.Pid}}', CONTAINER],
                                  universal_newlines=True).strip()
    with open('/proc/%s/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    # utime and stime are fields 14 and 15 of stat; after the ')' of the command name, 12 and 13 (0-based 11, 12).
    return {'cpu_s': (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))}


def cmd_s3(endpoint, bucket, wipe):
    import boto3  # pylint: disable=import-outside-toplevel,import-error
    client = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1')
    paginator = client.get_paginator('list_objects_v2')

    def listing():
        objects = []
        for page in paginator.paginate(Bucket=bucket):
            objects.extend(page.get('Contents', []))
        return objects

    result = {}
    objects = listing()
    if wipe:
        for start in range(0, len(objects), 1000):
            client.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': item['Key']} for item in objects[start:start + 1000]],
                                                         'Quiet': True})
        result['wiped'] = len(objects)
        objects = listing()
    blobs = [item for item in objects if '/blobs/sha256/' in item['Key'] and item['Key'].endswith('/data')]
    result.update({'objects': len(objects), 'bytes': sum(item['Size'] for item in objects),
                   'blob_objects': len(blobs), 'blob_bytes': sum(item['Size'] for item in blobs)})
    return result


def main(argv):
    if len(argv) >= 4 and argv[1] == 'fill':
        result = cmd_fill(argv[2], int(argv[3]), int(argv[4]), int(argv[5]) if len(argv) > 5 else 4)
    elif argv[1:] == ['cpu']:
        result = cmd_cpu()
    elif len(argv) in (4, 5) and argv[1] == 's3':
        result = cmd_s3(argv[2], argv[3], argv[4:] == ['wipe'])
    else:
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
