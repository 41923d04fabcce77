# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make `ansible_collections.dockyard.registry` importable when pytest runs straight from the checkout.

Under `ansible-test units` the checkout already sits at ansible_collections/dockyard/registry and this
is a no-op. From a plain clone, scripts/setup.sh links the checkout into $ANSIBLE_COLLECTIONS_PATH.
"""
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_root = os.path.dirname(os.path.dirname(_here))
_parts = _root.split(os.sep)
if _parts[-3:-1] == ["ansible_collections", "dockyard"]:
    _path = os.sep.join(_parts[:-3])
else:
    _path = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)[0]
    if not _path or not os.path.isdir(os.path.join(_path, "ansible_collections", "dockyard", "registry")):
        raise RuntimeError("run `. scripts/lib.sh` (and scripts/setup.sh once) so the checkout is linked as a collection")
if _path not in sys.path:
    sys.path.insert(0, _path)
