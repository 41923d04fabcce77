#!/usr/bin/env bash
# Make this machine ready to develop and test dockyard.registry. Safe to run again: every step
# checks first and only does what is missing.
#   1. host packages (debootstrap, apache2-utils, ...) and a Docker engine, started if `docker info` fails
#   2. a virtualenv with the pinned controller and test requirements
#   3. the checkout linked as the collection dockyard.registry
#   4. the local test images (scripts/images.sh), rebuilt only when their recipe changed
set -euo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_docker() {
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  log "starting dockerd"
  if [ -d /run/systemd/system ]; then
    systemctl start docker
  else
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  die "dockerd did not start; see /var/log/dockerd.log"
}

setup_venv() {
  if [ -f "$DOCKYARD_VENV/.complete" ]; then return 0; fi
  log "creating virtualenv $DOCKYARD_VENV"
  rm -rf "$DOCKYARD_VENV"
  "$DOCKYARD_PYTHON" -m venv "$DOCKYARD_VENV"
  # (grep drops pip's notes about this machine's extra local index paths that do not exist)
  "$DOCKYARD_VENV/bin/pip" install -q --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
  "$DOCKYARD_VENV/bin/pip" install -q -r "$DOCKYARD_ROOT/requirements/test.txt" 2>&1 | { grep -v '^WARNING: Location' || true; }
  touch "$DOCKYARD_VENV/.complete"
}

link_collection() {
  local ns="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/dockyard"
  mkdir -p "$ns"
  ln -sfn "$DOCKYARD_ROOT" "$ns/registry"
}

mkdir -p "$DOCKYARD_CACHE"
apt_install debootstrap apache2-utils openssl rsync make ca-certificates curl shellcheck
start_docker
setup_venv
link_collection
"$DOCKYARD_ROOT/scripts/images.sh"
log "setup complete: venv $DOCKYARD_VENV, collections path $ANSIBLE_COLLECTIONS_PATH"
