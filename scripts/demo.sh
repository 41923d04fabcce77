#!/usr/bin/env bash
# make demo: deploy the whole stack into a local container (the `selfsigned` Molecule scenario:
# Debian 13, filesystem storage, self-signed TLS) and print how to use it. make demo-destroy removes it.
set -euo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
cd "$DOCKYARD_ROOT"
export PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1

if [ "${1:-}" = destroy ]; then
  molecule destroy -s selfsigned
  exit 0
fi
molecule create -s selfsigned
molecule converge -s selfsigned
ca=$DOCKYARD_CACHE/demo-ca.pem
docker exec selfsigned-target cat /etc/nginx/tls/registry.dockyard.test/fullchain.pem >"$ca"
# nginx serves the registry's name only (any other Host or TLS name is refused): this machine resolves it to the
# published port's address.
grep -qE '^127\.0\.0\.1[[:space:]]+registry\.dockyard\.test([[:space:]]|$)' /etc/hosts \
  || echo '127.0.0.1 registry.dockyard.test' >>/etc/hosts
mkdir -p /etc/docker/certs.d/registry.dockyard.test:8443 && cp "$ca" /etc/docker/certs.d/registry.dockyard.test:8443/ca.crt
cat <<EOT

The registry is up: nginx + TLS on https://registry.dockyard.test:8443 (in the container selfsigned-target,
published on 127.0.0.1:8443; /etc/hosts has the name; self-signed certificate saved in $ca).

  echo alice-Secret-1 | docker login registry.dockyard.test:8443 --username alice --password-stdin
  docker tag dockyard/debian:12 registry.dockyard.test:8443/demo/debian:12 && docker push registry.dockyard.test:8443/demo/debian:12
  curl --cacert $ca -u alice:alice-Secret-1 https://registry.dockyard.test:8443/v2/_catalog

Remove it with: make demo-destroy
EOT
