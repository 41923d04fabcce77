#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/dockyard/registry: copy the
# checkout's tracked and new files there and run it (in ansible-test's own virtualenvs, cached in ~/.ansible).
# Arguments are passed on: targets (paths) or extra ansible-test options.
set -euo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
# ansible-test bootstraps pip in its virtualenvs with a script from a host that may be unreachable:
# provide a stand-in (see scripts/get-pip-standin.py) for the pip version it asks for.
pip_version=$(python -c 'import inspect, re, ansible_test._internal.python_requirements as m; print(re.search(r"pip=.([0-9.]+).", inspect.getsource(m)).group(1))')
get_pip=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
[ -f "$get_pip" ] || { mkdir -p "$(dirname "$get_pip")"; cp "$DOCKYARD_ROOT/scripts/get-pip-standin.py" "$get_pip"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/dockyard/registry"
mkdir -p "$dest"
(cd "$DOCKYARD_ROOT" && git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$dest/")
cd "$dest"
# ansible-test asks git which files belong to the collection.
git init -q && git add -A
ansible-test sanity --venv --python "${DOCKYARD_SANITY_PYTHON:-3.11}" --color no "$@"
