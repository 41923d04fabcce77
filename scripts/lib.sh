# Shared settings for the dockyard.registry scripts. Source it; do not run it.
# shellcheck shell=bash
DOCKYARD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything built here (virtualenv, root file systems, image tarballs) lives in one cache
# directory outside the checkout, so a fresh clone reuses it and `git clean` never loses it.
DOCKYARD_CACHE=${DOCKYARD_CACHE:-/var/cache/dockyard}
DOCKYARD_PYTHON=${DOCKYARD_PYTHON:-python3}
req_hash=$(cat "$DOCKYARD_ROOT"/requirements/*.txt | sha256sum | cut -c1-12)
DOCKYARD_VENV=${DOCKYARD_VENV:-$DOCKYARD_CACHE/venv-$req_hash}
# The checkout, linked as an installed collection (one directory per checkout: clones share the cache).
checkout_id=$(printf '%s' "$DOCKYARD_ROOT" | sha256sum | cut -c1-8)
ANSIBLE_COLLECTIONS_PATH="$DOCKYARD_CACHE/collections-$checkout_id"
ANSIBLE_CONFIG="$DOCKYARD_ROOT/ansible.cfg"
PATH="$DOCKYARD_VENV/bin:$PATH"
export DOCKYARD_ROOT DOCKYARD_CACHE DOCKYARD_VENV ANSIBLE_COLLECTIONS_PATH ANSIBLE_CONFIG PATH

log() { printf '\033[1m[%s] %s\033[0m\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }
