#!/usr/bin/env bash
# Build the collection tarball, install it into an empty directory, and check the installed copy
# (not the checkout) lists every module and filter with ansible-doc.
set -euo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$DOCKYARD_ROOT"
ansible-galaxy collection build --output-path "$work" >/dev/null
tarball=$(ls "$work"/dockyard-registry-*.tar.gz)
export ANSIBLE_COLLECTIONS_PATH="$work/installed"
ansible-galaxy collection install --offline --no-deps -p "$work/installed" "$tarball" >/dev/null
[ -d "$work/installed/ansible_collections/dockyard/registry/roles/registry" ] || { echo "installed copy has no roles"; exit 1; }
modules=$(ansible-doc -l dockyard.registry)
filters=$(ansible-doc -t filter -l dockyard.registry)
missing=0
for plugin in plugins/modules/*.py; do
  name=dockyard.registry.$(basename "$plugin" .py)
  grep -q "^$name " <<<"$modules" || { echo "ansible-doc -l does not list $name"; missing=1; }
done
for doc in plugins/filter/*.yml; do
  name=dockyard.registry.$(basename "$doc" .yml)
  grep -q "^$name " <<<"$filters" || { echo "ansible-doc -t filter -l does not list $name"; missing=1; }
done
echo "$(basename "$tarball"): $(du -h "$tarball" | cut -f1), $(wc -l <<<"$modules") modules, $(wc -l <<<"$filters") filters listed from the installed copy"
exit "$missing"
