#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Does verifying bcrypt hashes on a thread pool use all cores? Usage: scaling.py [USERS] [COST] [--json]

Times module_utils.htpasswd.parallel_map over check_password with 1 worker and with os.cpu_count().
Needs ANSIBLE_COLLECTIONS_PATH (source scripts/lib.sh) so the collection is importable.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.environ['ANSIBLE_COLLECTIONS_PATH'].split(os.pathsep)[0])

# pylint: disable-next=wrong-import-position
from ansible_collections.dockyard.registry.plugins.module_utils.htpasswd import check_password, hash_password, parallel_map


def best_of(runs, func):
    times = []
    for dummy in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    args = [arg for arg in sys.argv[1:] if arg != '--json']
    users = int(args[0]) if args else 50
    cost = int(args[1]) if len(args) > 1 else 10
    cores = os.cpu_count() or 1
    items = [('password-%d' % i, hash_password('password-%d' % i, cost)) for i in range(users)]

    def verify_all(workers):
        assert all(parallel_map(lambda item: check_password(*item), items, workers))

    serial = best_of(3, lambda: verify_all(1))
    parallel = best_of(3, lambda: verify_all(cores))
    if '--json' in sys.argv:
        print(json.dumps({'users': users, 'cost': cost, 'cores': cores, 'serial': serial, 'parallel': parallel}))
        return
    print('verify %d bcrypt hashes at cost %d (best of 3)' % (users, cost))
    print('%-22s %8s' % ('workers', 'seconds'))
    print('%-22s %8.2f' % ('1', serial))
    print('%-22s %8.2f' % ('%d (os.cpu_count())' % cores, parallel))
    print('speed-up %.2fx on %d cores' % (serial / parallel, cores))


if __name__ == '__main__':
    main()
