# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The retention-s3 scenario's own client, run on the target against the registry's loopback port (the test's own
reading of the registry and the bucket, independent of the collection's code). Prints JSON.

    push URL DIR         app:t1..t6 (creation times rising), app:v1.0 (the oldest), other:1 (shares app:t1's layer);
                         each layer is kept in DIR, so that `repush URL DIR TAG` pushes app:TAG again, the same digests
    head URL REPO DIGEST the status of a blob HEAD in REPO (what a client asks before it uploads a layer)
    tags URL REPO...     {repo: {tag: digest}}
    pull URL REF...      each repo@digest: the manifest and every blob, fetched and checked against its digest; blob
                         GETs answer 307 to a pre-signed S3 URL, followed WITHOUT the Authorization header
    upload URL REPO      the status of an upload start (POST /v2/REPO/blobs/uploads/)
    s3 ENDPOINT BUCKET   the blobs in the bucket: {count, bytes, keys: {digest: size}}
    lifecycle ENDPOINT BUCKET   the bucket's lifecycle rules
Credentials: REGISTRY_AUTH=user:password; S3 keys: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""
import base64
import hashlib
import http.client
import json
import os
import sys
import urllib.parse

MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
CONFIG = 'application/vnd.oci.image.config.v1+json'
LAYER = 'application/vnd.oci.image.layer.v1.tar'


def request(url, method='GET', body=None, headers=None, auth=True):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    headers = dict(headers or {})
    if auth:
        headers['Authorization'] = 'Basic ' + base64.b64encode(os.environ['REGISTRY_AUTH'].encode()).decode()
    path = parts.path + ('?' + parts.query if parts.query else '')
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, dict((k.lower(), v) for k, v in answer.getheaders()), data


def local(base, location):
    """The registry's Location is its public https URL (http.host): keep the path and query, on the loopback port."""
    parts = urllib.parse.urlsplit(location)
    return base + parts.path + ('?' + parts.query if parts.query else '')


def put_blob(base, repo, data):
    digest = 'sha256:' + hashlib.sha256(data).hexdigest()
    status, headers, body = request('%s/v2/%s/blobs/uploads/' % (base, repo), 'POST')
    if status != 202:
        raise SystemExit('upload start in %s: %d %s' % (repo, status, body[:300]))
    url = local(base, headers['location'])
    url += ('&' if '?' in url else '?') + 'digest=' + urllib.parse.quote(digest)
    status, headers, body = request(url, 'PUT', data, {'Content-Type': 'application/octet-stream'})
    if status != 201:
        raise SystemExit('blob upload in %s: %d %s' % (repo, status, body[:300]))
    return {'digest': digest, 'size': len(data)}


def push_image(base, repo, tag, layer, created):
    layer_desc = dict(put_blob(base, repo, layer), mediaType=LAYER)
    config = json.dumps({'created': created, 'architecture': 'amd64', 'os': 'linux',
                         'rootfs': {'type': 'layers', 'diff_ids': [layer_desc['digest']]}}).encode()
    config_desc = dict(put_blob(base, repo, config), mediaType=CONFIG)
    manifest = json.dumps({'schemaVersion': 2, 'mediaType': MANIFEST, 'config': config_desc,
                           'layers': [layer_desc]}).encode()
    status, headers, body = request('%s/v2/%s/manifests/%s' % (base, repo, tag), 'PUT', manifest,
                                    {'Content-Type': MANIFEST})
    if status != 201:
        raise SystemExit('manifest %s:%s: %d %s' % (repo, tag, status, body[:300]))
    digest = 'sha256:' + hashlib.sha256(manifest).hexdigest()
    return {'digest': digest, 'layer': layer_desc['digest'],
            'blobs': {digest: len(manifest), config_desc['digest']: config_desc['size'],
                      layer_desc['digest']: layer_desc['size']}}


BUILDS = dict([('v1.0', '2026-01-01T00:00:00Z')] + [('t%d' % n, '2026-02-%02dT00:00:00Z' % n) for n in range(1, 7)])


def push(base, directory):
    images = {}
    layers = {}
    os.makedirs(directory, exist_ok=True)
    for tag in sorted(BUILDS, key=BUILDS.get):
        layers[tag] = os.urandom(200 * 1024 + len(tag))
        with open(os.path.join(directory, tag), 'wb') as handle:
            handle.write(layers[tag])
        images['app:%s' % tag] = push_image(base, 'app', tag, layers[tag], BUILDS[tag])
    images['other:1'] = push_image(base, 'other', '1', layers['t1'], '2026-03-01T00:00:00Z')
    return images


def repush(base, directory, tag):
    with open(os.path.join(directory, tag), 'rb') as handle:
        return push_image(base, 'app', tag, handle.read(), BUILDS[tag])


def tags(base, repos):
    out = {}
    for repo in repos:
        status, dummy, body = request('%s/v2/%s/tags/list' % (base, repo))
        out[repo] = {}
        for tag in (json.loads(body).get('tags') or []) if status == 200 else []:
            status, headers, dummy = request('%s/v2/%s/manifests/%s' % (base, repo, tag), 'HEAD',
                                             headers={'Accept': MANIFEST})
            out[repo][tag] = headers.get('docker-content-digest') if status == 200 else 'HEAD %d' % status
    return out


def fetch_blob(base, repo, digest):
    status, headers, body = request('%s/v2/%s/blobs/%s' % (base, repo, digest))
    redirects = 0
    while status in (301, 302, 303, 307, 308) and redirects < 3:
        # A pre-signed URL: the registry's credentials must not go with it (S3 refuses a second authorization).
        status, headers, body = request(headers['location'], auth=False)
        redirects += 1
    if status != 200:
        return 'blob %s: %d after %d redirects' % (digest, status, redirects), redirects
    if 'sha256:' + hashlib.sha256(body).hexdigest() != digest:
        return 'blob %s: content does not match its digest' % digest, redirects
    return None, redirects


def pull(base, refs):
    out = {}
    for ref in refs:
        repo, digest = ref.split('@')
        status, dummy, body = request('%s/v2/%s/manifests/%s' % (base, repo, digest), headers={'Accept': MANIFEST})
        if status != 200:
            out[ref] = 'manifest: %d' % status
            continue
        if 'sha256:' + hashlib.sha256(body).hexdigest() != digest:
            out[ref] = 'manifest does not match its digest'
            continue
        manifest = json.loads(body)
        problems, redirects = [], 0
        for blob in [manifest['config']] + manifest['layers']:
            problem, followed = fetch_blob(base, repo, blob['digest'])
            redirects += followed
            if problem:
                problems.append(problem)
        out[ref] = '; '.join(problems) or 'ok (%d blobs, %d redirects followed)' % (1 + len(manifest['layers']), redirects)
    return out


def s3(endpoint, bucket):
    import boto3  # the registry role installs python3-boto3 on an S3 host
    client = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1')
    keys = {}
    for page in client.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix='docker/registry/v2/blobs/'):
        for item in page.get('Contents', []):
            if item['Key'].endswith('/data'):
                keys['sha256:' + item['Key'].split('/')[-2]] = item['Size']
    return {'count': len(keys), 'bytes': sum(keys.values()), 'keys': keys}


def lifecycle(endpoint, bucket):
    import boto3
    client = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1')
    return client.get_bucket_lifecycle_configuration(Bucket=bucket).get('Rules', [])


def main(argv):
    command = argv[1]
    if command == 'push':
        result = push(argv[2], argv[3])
    elif command == 'repush':
        result = repush(argv[2], argv[3], argv[4])
    elif command == 'head':
        status, dummy, dummy = request('%s/v2/%s/blobs/%s' % (argv[2], argv[3], argv[4]), 'HEAD')
        result = {'status': status}
    elif command == 'tags':
        result = tags(argv[2], argv[3:])
    elif command == 'pull':
        result = pull(argv[2], argv[3:])
    elif command == 'upload':
        status, dummy, body = request('%s/v2/%s/blobs/uploads/' % (argv[2], argv[3]), 'POST')
        result = {'status': status, 'body': body.decode('utf-8', 'replace')[:300]}
    elif command == 's3':
        result = s3(argv[2], argv[3])
    elif command == 'lifecycle':
        result = lifecycle(argv[2], argv[3])
    else:
        raise SystemExit('unknown command %s' % command)
    json.dump(result, sys.stdout, sort_keys=True)


if __name__ == '__main__':
    main(sys.argv)
