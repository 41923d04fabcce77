# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a registry holds, read through its HTTP API as a client does (the test's own reading, independent of the
collection's code). Credentials come from the environment: REGISTRY_AUTH=user:password.

    python3 registry_state.py state URL CA REPO... [--delete REPO:TAG ...]
        Every tag of each REPO: its manifest digest, media type, size, the config's `created`, the blobs it
        references (config and layers; for an index its platform manifests with theirs). With --delete (the tags the
        test expects retention to delete): the digests that go, and the bytes and blobs garbage collection should
        then free: blobs referenced only by deleted manifests, no kept manifest of any REPO.
    python3 registry_state.py pull URL CA REPO@DIGEST...
        Fetch each manifest by digest, its platform manifests, and every blob, checking each against its digest.
        Prints per reference "ok" or the first error, and the counts fetched.
"""
import base64
import hashlib
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

ACCEPT = ', '.join([
    'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json'])
INDEXES = ('application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json')


class Registry:
    def __init__(self, url, ca):
        self.url = url.rstrip('/')
        self.context = ssl.create_default_context(cafile=ca or None)
        self.auth = 'Basic ' + base64.b64encode(os.environ['REGISTRY_AUTH'].encode()).decode()

    def get(self, path, accept=ACCEPT):
        request = urllib.request.Request(self.url + path, headers={'Authorization': self.auth, 'Accept': accept})
        with urllib.request.urlopen(request, context=self.context, timeout=60) as answer:
            return answer.read(), answer.headers

    def manifest(self, repo, reference):
        body, headers = self.get('/v2/%s/manifests/%s' % (repo, reference))
        digest = 'sha256:' + hashlib.sha256(body).hexdigest()
        if reference.startswith('sha256:') and digest != reference:
            raise ValueError('manifest %s@%s has digest %s' % (repo, reference, digest))
        if headers.get('Docker-Content-Digest') not in (None, digest):
            raise ValueError('%s:%s: Docker-Content-Digest %s, body %s' % (repo, reference,
                                                                           headers.get('Docker-Content-Digest'), digest))
        document = json.loads(body)
        return digest, document.get('mediaType') or headers.get('Content-Type'), len(body), document

    def blob(self, repo, digest):
        body = self.get('/v2/%s/blobs/%s' % (repo, digest), accept='*/*')[0]
        if 'sha256:' + hashlib.sha256(body).hexdigest() != digest:
            raise ValueError('blob %s@%s does not match its digest' % (repo, digest))
        return body


def describe(registry, repo, reference):
    digest, media_type, size, document = registry.manifest(repo, reference)
    entry = {'digest': digest, 'media_type': media_type, 'size': size, 'blobs': [], 'platforms': []}
    if media_type in INDEXES:
        for platform in document['manifests']:
            child = describe(registry, repo, platform['digest'])
            child['platform'] = '%s/%s' % (platform['platform']['os'], platform['platform']['architecture'])
            entry['platforms'].append(child)
        entry['created'] = max(child['created'] for child in entry['platforms'])
    else:
        entry['blobs'] = [{'digest': d['digest'], 'size': d['size']} for d in [document['config']] + document['layers']]
        entry['created'] = json.loads(registry.blob(repo, document['config']['digest'])).get('created')
    return entry


def references(entry):
    """Every blob an entry keeps in the store (its own manifest included), as {digest: size}."""
    found = {entry['digest']: entry['size']}
    for blob in entry['blobs']:
        found[blob['digest']] = blob['size']
    for child in entry['platforms']:
        found.update(references(child))
    return found


def state(registry, repos, delete):
    repositories = {}
    for repo in repos:
        body = registry.get('/v2/%s/tags/list' % repo, accept='application/json')[0]
        tags = sorted(json.loads(body).get('tags') or [])
        repositories[repo] = {tag: describe(registry, repo, tag) for tag in tags}
    out = {'repositories': repositories}
    if delete is None:
        return out
    deleted = {}
    for ref in delete:
        repo, tag = ref.split(':', 1)
        deleted.setdefault((repo, repositories[repo][tag]['digest']), []).append(tag)
    kept, gone, gone_index_own, gone_platforms = {}, {}, {}, {}
    kept_refs, kept_platform_refs, deleted_platform_refs = set(), set(), set()
    for repo, tags in repositories.items():
        for tag, entry in tags.items():
            key = (repo, entry['digest'])
            if key not in deleted:
                kept.update(references(entry))
                kept_refs.add('%s@%s' % key)
                kept_platform_refs.update('%s@%s' % (repo, child['digest']) for child in entry['platforms'])
                continue
            deleted_platform_refs.update('%s@%s' % (repo, child['digest']) for child in entry['platforms'])
            if tag not in deleted[key]:
                raise ValueError('%s:%s is on %s, which the test expects deleted' % (repo, tag, entry['digest']))
            if entry['platforms']:
                gone_index_own[entry['digest']] = entry['size']
                for child in entry['platforms']:
                    gone_platforms.update(references(child))
            else:
                gone.update(references(entry))
    freed = {d: s for d, s in gone.items() if d not in kept}
    freed_platforms = {d: s for d, s in gone_platforms.items() if d not in kept and d not in freed}
    freed_index = {d: s for d, s in gone_index_own.items() if d not in kept}
    out['expected'] = {
        'deleted': sorted('%s@%s' % key for key in deleted),
        # What must still pull afterwards: every kept tag's digest, and each platform manifest of a kept index.
        'kept': sorted(kept_refs), 'kept_platforms': sorted(kept_platform_refs),
        # The platform manifests of deleted indexes (untagged once the index is gone).
        'deleted_platforms': sorted(deleted_platform_refs - kept_platform_refs),
        'deleted_tags': {'%s@%s' % key: sorted(tags) for key, tags in deleted.items()},
        # Image manifests retention deletes: the blobs only they hold (manifests, configs, layers).
        'freed_image_bytes': sum(freed.values()), 'freed_image_blobs': len(freed),
        # Deleted indexes: the index documents themselves.
        'freed_index_bytes': sum(freed_index.values()), 'freed_index_blobs': len(freed_index),
        # Their platform manifests and blobs: freed only by a GC that removes untagged manifests.
        'freed_platform_bytes': sum(freed_platforms.values()), 'freed_platform_blobs': len(freed_platforms),
        'kept_blobs': sorted(kept),
        # Blobs that deleted manifests reference and kept ones too (in any repository): must survive GC.
        'shared_blobs': sorted(d for d in set(gone) | set(gone_platforms) if d in kept),
    }
    return out


def pull(registry, refs):
    results = {}
    for ref in refs:
        repo, digest = ref.split('@', 1)
        counts = {'manifests': 0, 'blobs': 0, 'bytes': 0}
        try:
            pending = [digest]
            while pending:
                media_type, document = registry.manifest(repo, pending.pop())[1::2]
                counts['manifests'] += 1
                if media_type in INDEXES:
                    pending += [m['digest'] for m in document['manifests']]
                    continue
                for blob in [document['config']] + document['layers']:
                    counts['bytes'] += len(registry.blob(repo, blob['digest']))
                    counts['blobs'] += 1
            results[ref] = dict(counts, result='ok')
        except urllib.error.HTTPError as exc:
            results[ref] = dict(counts, result='HTTP %d %s' % (exc.code, exc.read()[:200].decode(errors='replace')))
        except (urllib.error.URLError, ValueError) as exc:
            results[ref] = dict(counts, result=str(exc))
    return {'results': results, 'ok': sorted(r for r, v in results.items() if v['result'] == 'ok'),
            'failed': sorted(r for r, v in results.items() if v['result'] != 'ok')}


def main(argv):
    command, url, ca = argv[:3]
    registry = Registry(url, ca)
    rest = argv[3:]
    if command == 'state':
        delete = None
        if '--delete' in rest:
            delete = rest[rest.index('--delete') + 1:]
            rest = rest[:rest.index('--delete')]
        result = state(registry, rest, delete)
    elif command == 'pull':
        result = pull(registry, rest)
    else:
        raise SystemExit('unknown command %s' % command)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)


if __name__ == '__main__':
    main(sys.argv[1:])
