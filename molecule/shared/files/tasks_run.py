# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read an ansible-playbook run's ansible.posix.json output (stdin) and print, as JSON, the tasks that ran on HOST.

    python3 tasks_run.py HOST < run.json
    -> {"plays": [...], "ran": [{"play", "name", "file", "changed"}, ...], "stats": {...}}

"file" is the task file relative to the collection (roles/nginx/tasks/tls.yml, playbooks/validate.yml, ...),
or "" for tasks without one (a role's automatic argument spec check). Skipped tasks are left out.
"""
import json
import re
import sys

FILE = re.compile(r'((?:roles/[a-z_]+|playbooks)/(?:tasks/|handlers/)?[a-z_]+\.yml)')


def main(host):
    run = json.load(sys.stdin)
    ran = []
    for play in run['plays']:
        for task in play['tasks']:
            result = task['hosts'].get(host)
            if result is None or result.get('skipped'):
                continue
            match = FILE.search(task['task'].get('path') or '')
            ran.append({'play': play['play']['name'], 'name': task['task']['name'],
                        'file': match.group(1) if match else '', 'changed': bool(result.get('changed'))})
    json.dump({'plays': [play['play']['name'] for play in run['plays']], 'ran': ran,
               'stats': run['stats'].get(host, {})}, sys.stdout, indent=1)


if __name__ == '__main__':
    main(sys.argv[1])
