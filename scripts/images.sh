#!/usr/bin/env bash
# Build the local images the tests use, with no registry pulls. Each image carries a label with a
# hash of its recipe; an image is rebuilt only when that hash changes (or it is missing).
#   dockyard/debian:12, dockyard/debian:13   target hosts: debootstrap + systemd + python3
#   dockyard/registry:2.8.2 (also registry:2) Debian's docker-registry (CNCF distribution 2.8.2)
#   dockyard/pebble:latest                     Let's Encrypt's ACME test server, with a CA for its listener
#   dockyard/moto:latest                       moto's S3 API server
#   dockyard/client:latest                     a client host with its own Docker engine, curl, openssl, sslscan, skopeo
# The registry image is also saved as $DOCKYARD_CACHE/images/registry-2.tar for `registry_image_archive`.
set -euo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

IMAGES_DIR="$DOCKYARD_ROOT/tests/images"
MIRROR=${DOCKYARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What a target host has before our roles run: what a cloud image of Debian ships.
TARGET_PACKAGES=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,ca-certificates,curl,gnupg,iproute2,procps,openssl

label_of() { docker image inspect -f '{{ index .Config.Labels "dockyard.recipe" }}' "$1" 2>/dev/null || true; }

# debootstrap a Debian suite into a tarball and import it as an image. Recipes hash file contents
# only, never paths: every CI run is a fresh clone in another directory.
build_rootfs() {
  local image=$1 suite=$2 recipe
  recipe=$(printf '%s\n' "$suite" "$MIRROR" "$TARGET_PACKAGES" "$(sha256sum <"$IMAGES_DIR/target/setup-rootfs.sh")" | sha256sum | cut -c1-16)
  [ "$(label_of "$image")" = "$recipe" ] && { log "$image is up to date"; return 0; }
  log "building $image (debootstrap $suite)"
  local dir
  dir=$(mktemp -d "$DOCKYARD_CACHE/rootfs.XXXXXX")
  debootstrap --variant=minbase --include="$TARGET_PACKAGES" "$suite" "$dir" "$MIRROR" >"$dir.log" 2>&1 \
    || { tail -20 "$dir.log"; rm -rf "$dir"; die "debootstrap $suite failed"; }
  cp "$IMAGES_DIR/target/setup-rootfs.sh" "$dir/tmp/" && chroot "$dir" /bin/sh /tmp/setup-rootfs.sh && rm "$dir/tmp/setup-rootfs.sh"
  tar -C "$dir" -c . | docker import \
    --change 'ENV container=docker' \
    --change 'CMD ["/lib/systemd/systemd"]' --change "LABEL dockyard.recipe=$recipe" - "$image" >/dev/null
  rm -rf "$dir" "$dir.log"
}

# docker build a directory of tests/images on top of a base image.
build_dir() {
  local image=$1 dir=$2 base=$3 recipe
  recipe=$( (cd "$IMAGES_DIR/$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum; label_of "$base") | sha256sum | cut -c1-16)
  [ "$(label_of "$image")" = "$recipe" ] && { log "$image is up to date"; return 0; }
  log "building $image"
  local ctx
  ctx=$(mktemp -d)
  cp -a "$IMAGES_DIR/$dir/." "$ctx/"
  # Containers do not trust this machine's TLS interception CA unless told to: hand them the bundle.
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca-bundle.crt"
  docker build -q --build-arg BASE="$base" --label "dockyard.recipe=$recipe" -t "$image" "$ctx" >/dev/null \
    || { rm -rf "$ctx"; die "docker build $image failed"; }
  rm -rf "$ctx"
}

mkdir -p "$DOCKYARD_CACHE/images"
build_rootfs dockyard/debian:12 bookworm
build_rootfs dockyard/debian:13 trixie
build_dir dockyard/registry:2.8.2 registry dockyard/debian:12
docker tag dockyard/registry:2.8.2 registry:2
build_dir dockyard/pebble:latest pebble dockyard/debian:12
build_dir dockyard/moto:latest moto dockyard/debian:12
build_dir dockyard/client:latest client dockyard/debian:12

# The registry image as a tarball, loaded into target hosts through `registry_image_archive`.
archive="$DOCKYARD_CACHE/images/registry-2.tar"
id=$(docker image inspect -f '{{.Id}}' registry:2)
if [ ! -f "$archive" ] || [ "$(cat "$archive.id" 2>/dev/null)" != "$id" ]; then
  log "saving registry:2 to $archive"
  docker save registry:2 -o "$archive.tmp" && mv "$archive.tmp" "$archive" && echo "$id" >"$archive.id"
fi
# Drop superseded builds of our images (their recipe changed).
docker image prune -f --filter 'label=dockyard.recipe' >/dev/null
docker image ls --filter 'label=dockyard.recipe' --filter dangling=false --format '{{.Repository}}:{{.Tag}} {{.Size}}' | sort >&2
