#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/dockyard/registry: copy the
# checkout's tracked and new files there and run it (in ansible-test's own virtualenvs, cached in ~/.ansible).
# Arguments are passed on: targets (paths) or extra ansible-test options.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/dockyard/registry"
mkdir -p "$dest"
(cd "$DOCKYARD_ROOT" && git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$dest/")
cd "$dest"
# ansible-test asks git which files belong to the collection.
git init -q && git add -A
ansible-test sanity --venv --python "${DOCKYARD_SANITY_PYTHON:-3.11}" --color no "$@"
