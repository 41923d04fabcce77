# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record what Python code does to some files: installed as sitecustomize.py on PYTHONPATH (molecule/nginx).

With DOCKYARD_AUDIT_PATHS (absolute paths, ':'-separated) and DOCKYARD_AUDIT_LOG set, every Python
process started with this on its path (Ansible's modules included) appends one JSON line to the log for
each open, chmod, rename or replace of a watched path, through an audit hook (PEP 578), BEFORE the
operation happens:
  {"event": "os.chmod", "path": P, "mode": "0o600", ...}          the mode being set
  {"event": "os.rename", "path": P, "src": S, "src_mode": "0o600"} a file renamed onto P, with its mode then
  {"event": "open", "path": P, "flags": F}                           P opened (F: os.O_* flags, or null)
and for each: "exists" (whether P existed just before) and "dir_mode" (the mode of P's directory then).
So the log shows whether a watched file ever held content with another mode than the one it ends with.
"""

import json
import os
import stat
import sys

_WATCHED = frozenset(filter(None, os.environ.get('DOCKYARD_AUDIT_PATHS', '').split(':')))
_LOG = os.environ.get('DOCKYARD_AUDIT_LOG', '')
_BUSY = []


def _abs(value):
    if value is None or isinstance(value, int):
        return None
    try:
        return os.path.abspath(os.fsdecode(value))
    except (TypeError, ValueError):
        return None


def _mode(path):
    try:
        return oct(stat.S_IMODE(os.stat(path).st_mode))
    except OSError:
        return None


def _record(event, path, **fields):
    fields.update(event=event, path=path, pid=os.getpid(), exists=os.path.exists(path),
                  dir_mode=_mode(os.path.dirname(path)))
    with open(_LOG, 'a') as handle:
        handle.write(json.dumps(fields, sort_keys=True) + '\n')


def _hook(event, args):
    if _BUSY or event not in ('open', 'os.chmod', 'os.rename', 'os.replace'):
        return
    _BUSY.append(True)
    try:
        if event == 'open':
            path = _abs(args[0])
            if path in _WATCHED:
                _record(event, path, flags=args[2] if len(args) > 2 else None)
        elif event == 'os.chmod':
            path = _abs(args[0])
            if path in _WATCHED:
                _record(event, path, mode=oct(args[1] & 0o7777))
        else:
            src, path = _abs(args[0]), _abs(args[1])
            if path in _WATCHED:
                _record(event, path, src=src, src_mode=_mode(src))
    finally:
        _BUSY.pop()


if _WATCHED and _LOG:
    sys.addaudithook(_hook)
