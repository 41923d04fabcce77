# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unreferenced blobs in a filesystem registry store, as abandoned pushes leave them (uploaded, never in a manifest),
so that garbage collection has enough to sweep to be killed part way.

    python3 orphan_blobs.py write DATA_DIR COUNT LIST   write COUNT blobs of 64 random bytes, each under its sha256
                                                        name and owned like the store's other blobs; their digests
                                                        go to LIST, one a line
    python3 orphan_blobs.py count DATA_DIR LIST         print how many of LIST's blobs are still in the store
"""
import hashlib
import os
import sys


def blob_dir(data_dir, digest):
    return os.path.join(data_dir, 'docker', 'registry', 'v2', 'blobs', 'sha256', digest[:2], digest)


def write(data_dir, count, list_path):
    blobs = os.path.join(data_dir, 'docker', 'registry', 'v2', 'blobs')
    owner = os.stat(blobs)
    digests = []
    while len(digests) < int(count):
        data = os.urandom(64)
        digest = hashlib.sha256(data).hexdigest()
        path = blob_dir(data_dir, digest)
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, 'data'), 'wb') as blob:
            blob.write(data)
        for made in (os.path.dirname(path), path, os.path.join(path, 'data')):
            os.chown(made, owner.st_uid, owner.st_gid)
        digests.append(digest)
    with open(list_path, 'w', encoding='utf-8') as listing:
        listing.write('\n'.join(digests) + '\n')
    print(len(digests))


def count(data_dir, list_path):
    with open(list_path, encoding='utf-8') as listing:
        digests = listing.read().split()
    print(sum(1 for digest in digests if os.path.exists(os.path.join(blob_dir(data_dir, digest), 'data'))))


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(*sys.argv[2:5])
    else:
        count(*sys.argv[2:4])
