# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a two-platform OCI image index into an OCI layout, by hand (no image builder).

    python3 oci_layout.py DIR TAG CREATED

Adds to the layout DIR (created when missing): for linux/amd64 and linux/arm64 each, a one-layer image (a gzipped
tar holding one file of 4 KiB of random data, so every platform of every call has a layer of its own) with a config
whose `created` is CREATED (RFC 3339), its manifest, then an image index of the two manifests, named TAG in the
layout's index.json. Blobs are written under their sha256 names. Prints, as JSON, the index digest and, per
platform, the manifest digest, config digest and layer digest and size.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
OCI_INDEX = 'application/vnd.oci.image.index.v1+json'


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, 'blobs', 'sha256', digest)
    with open(path, 'wb') as blob:
        blob.write(data)
    return 'sha256:' + digest, len(data)


def layer_bytes(arch, tag):
    content = os.urandom(4096)
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode='w', format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo('data/%s-%s.bin' % (tag, arch))
        info.size = len(content)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(content))
    raw = tar_buffer.getvalue()
    return gzip.compress(raw, mtime=0), 'sha256:' + hashlib.sha256(raw).hexdigest()


def main(layout, tag, created):
    os.makedirs(os.path.join(layout, 'blobs', 'sha256'), exist_ok=True)
    with open(os.path.join(layout, 'oci-layout'), 'w', encoding='utf-8') as marker:
        json.dump({'imageLayoutVersion': '1.0.0'}, marker)
    platforms, out = [], {'platforms': {}}
    for arch in ('amd64', 'arm64'):
        layer, diff_id = layer_bytes(arch, tag)
        layer_digest, layer_size = write_blob(layout, layer)
        config = json.dumps({
            'created': created, 'architecture': arch, 'os': 'linux',
            'config': {'Cmd': ['/data/%s-%s.bin' % (tag, arch)]},
            'rootfs': {'type': 'layers', 'diff_ids': [diff_id]},
        }, sort_keys=True).encode()
        config_digest, config_size = write_blob(layout, config)
        manifest = json.dumps({
            'schemaVersion': 2, 'mediaType': OCI_MANIFEST,
            'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': config_digest,
                       'size': config_size},
            'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': layer_digest,
                        'size': layer_size}],
        }, sort_keys=True).encode()
        manifest_digest, manifest_size = write_blob(layout, manifest)
        platforms.append({'mediaType': OCI_MANIFEST, 'digest': manifest_digest, 'size': manifest_size,
                          'platform': {'architecture': arch, 'os': 'linux'}})
        out['platforms'][arch] = {'manifest': manifest_digest, 'manifest_size': manifest_size,
                                  'config': config_digest, 'config_size': config_size,
                                  'layer': layer_digest, 'layer_size': layer_size}
    index = json.dumps({'schemaVersion': 2, 'mediaType': OCI_INDEX, 'manifests': platforms}, sort_keys=True).encode()
    index_digest, index_size = write_blob(layout, index)
    out['index'], out['index_size'] = index_digest, index_size

    top_path = os.path.join(layout, 'index.json')
    top = {'schemaVersion': 2, 'mediaType': OCI_INDEX, 'manifests': []}
    if os.path.exists(top_path):
        with open(top_path, encoding='utf-8') as existing:
            top = json.load(existing)
    top['manifests'] = [m for m in top['manifests']
                        if m.get('annotations', {}).get('org.opencontainers.image.ref.name') != tag]
    top['manifests'].append({'mediaType': OCI_INDEX, 'digest': index_digest, 'size': index_size,
                             'annotations': {'org.opencontainers.image.ref.name': tag}})
    with open(top_path, 'w', encoding='utf-8') as top_file:
        json.dump(top, top_file, indent=1)
    json.dump(out, sys.stdout, indent=1)


if __name__ == '__main__':
    main(*sys.argv[1:4])
