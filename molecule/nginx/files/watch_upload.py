# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Watch an upload pass through nginx to the mock registry, on the nginx host.

Usage: watch_upload.py STATE_FILE UPLOAD_ID BODY_TEMP_DIR TIMEOUT

Every 0.2 s until the mock registry reports the upload UPLOAD_ID done (or TIMEOUT seconds pass): reads
the mock registry's STATE_FILE and measures the space used in nginx's client body temporary directory.
Prints JSON: how many samples saw the registry part-way through the body ("receiving"), the most bytes
used in BODY_TEMP_DIR at any sample, whether BODY_TEMP_DIR is a file system of its own, and the last state.

nginx unlinks a request body's temporary file as soon as it creates it, so listing the directory always
shows it empty. The space the open file takes is real though: with BODY_TEMP_DIR a file system of its
own (the scenario mounts a tmpfs there), the used space is exactly what nginx spooled.
"""

import json
import os
import sys
import time


def used_bytes(directory):
    stat = os.statvfs(directory)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize


def main(argv):
    state_file, upload_id, body_dir, timeout = argv[1], argv[2], argv[3], float(argv[4])
    deadline = time.monotonic() + timeout
    result = {'receiving_samples': 0, 'samples': 0, 'max_spooled_bytes': 0, 'last_state': None,
              'body_dir_is_mount': os.path.ismount(body_dir)}
    while time.monotonic() < deadline:
        try:
            with open(state_file) as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            state = {}
        spooled = used_bytes(body_dir)
        result['samples'] += 1
        result['max_spooled_bytes'] = max(result['max_spooled_bytes'], spooled)
        if state.get('id') == upload_id:
            result['last_state'] = state
            if state.get('state') == 'receiving':
                result['receiving_samples'] += 1
            elif state.get('state') == 'done':
                break
        time.sleep(0.2)
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv)
