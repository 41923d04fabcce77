#!/usr/bin/env bash
# Build the test execution environment, dockyard/registry-ee:test, from tests/ee/execution-environment.yml
# with ansible-builder (create) and docker build, on the local Debian base image (nothing is pulled; Galaxy
# is not used). Called by molecule/awx (converge); safe to run by hand. Prints the image ID on stdout,
# and timings and the image size on stderr.
#   1. dockyard/ee-base:test from tests/ee/base (Debian 12 + python3-venv + ee-apt + the host's CA bundle)
#   2. the collection tarball (ansible-galaxy collection build), and a check that ansible-builder's
#      introspection of the installed collection finds its meta/execution-environment.yml requirements
#   3. the build context (ansible-builder create) with the dependency collections and the tarball
#   4. docker build, stage by stage: the intermediate stages are tagged (…:test-galaxy, …:test-builder)
#      so `docker image prune` (scripts/images.sh prunes untagged images of ours) keeps their layer cache
set -euo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/../../scripts/lib.sh"
EE_DIR="$DOCKYARD_ROOT/tests/ee"
IMAGE=${DOCKYARD_EE_IMAGE:-dockyard/registry-ee:test}
BASE_IMAGE=dockyard/ee-base:test
export DOCKER_BUILDKIT=0   # the engine here has no buildx; say so instead of relying on the fallback
# DOCKYARD_EE_NO_CACHE=1: build every layer again (to measure a cold build).
no_cache=()
[ -n "${DOCKYARD_EE_NO_CACHE:-}" ] && no_cache=(--no-cache)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

# 1. Base image (the docker layer cache makes this a no-op when nothing changed).
mkdir -p "$work/base"
cp -a "$EE_DIR/base/." "$work/base/"
cp /etc/ssl/certs/ca-certificates.crt "$work/base/host-ca-bundle.crt"
docker build -q "${no_cache[@]}" -t "$BASE_IMAGE" -f "$work/base/Containerfile" "$work/base" >/dev/null \
  || die "docker build $BASE_IMAGE failed"

# 2. The collection as users get it, and what ansible-builder reads from it.
cd "$DOCKYARD_ROOT"
ansible-galaxy collection build --output-path "$work/dist" >/dev/null
tarball=$(ls "$work"/dist/dockyard-registry-*.tar.gz)
# (into an empty path: with the checkout on ANSIBLE_COLLECTIONS_PATH it would be "already installed")
ANSIBLE_COLLECTIONS_PATH="$work/installed" ansible-galaxy collection install --offline --no-deps -p "$work/installed" "$tarball" >/dev/null
introspected=$(ansible-builder introspect "$work/installed")
for line in 'cryptography>=3.3' 'openssh-client [platform:dpkg]'; do
  grep -qF -- "$line" <<<"$introspected" \
    || die "ansible-builder introspect of the built collection does not list '$line':"$'\n'"$introspected"
done

# 3. Build context: ansible-builder's Containerfile and _build/, plus the dependency collections from the
# pinned `ansible` package (tests/ee/collections.yml installs them from _build/deps) and the tarball.
ansible-builder create -f "$EE_DIR/execution-environment.yml" -c "$work/context" --output-filename Containerfile >/dev/null
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections
for collection in community.docker community.library_inventory_filtering_v1 community.crypto ansible.posix; do
  [ -d "$site/${collection/.//}" ] || die "$collection is not in $site (requirements/controller.txt's ansible package)"
  mkdir -p "$work/context/_build/deps"
  cp -a "$site/${collection/.//}" "$work/context/_build/deps/$collection"
done
find "$work/context/_build/deps" -name __pycache__ -prune -exec rm -rf {} +
cp "$tarball" "$work/context/dockyard-registry.tar.gz"

# 4. Build.
log_file="$work/build.log"
for target in galaxy builder final; do
  tag=$IMAGE-$target
  [ "$target" = final ] && tag=$IMAGE
  if ! docker build "${no_cache[@]}" --target "$target" -t "$tag" -f "$work/context/Containerfile" "$work/context" >>"$log_file" 2>&1; then
    tail -40 "$log_file" >&2
    die "docker build of $tag failed"
  fi
  no_cache=()   # the next targets reuse the layers this build just made
done
ran=$(grep -c -- '---> Running in' "$log_file" || true)
size=$(docker image inspect -f '{{ .Size }}' "$IMAGE")
log "$IMAGE built in $(( $(date +%s) - start )) s ($ran build steps run, the others from the layer cache), $(( size / 1000000 )) MB"
docker image inspect -f '{{ .Id }}' "$IMAGE"
