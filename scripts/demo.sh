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
mkdir -p /etc/docker/certs.d/127.0.0.1:8443 && cp "$ca" /etc/docker/certs.d/127.0.0.1:8443/ca.crt
cat <<EOT

The registry is up: nginx + TLS on https://127.0.0.1:8443 (in the container selfsigned-target,
domain registry.dockyard.test, self-signed certificate saved in $ca).

  echo alice-Secret-1 | docker login 127.0.0.1:8443 --username alice --password-stdin
  docker tag dockyard/debian:12 127.0.0.1:8443/demo/debian:12 && docker push 127.0.0.1:8443/demo/debian:12
  curl --cacert $ca --resolve registry.dockyard.test:8443:127.0.0.1 \\
       -u alice:alice-Secret-1 https://registry.dockyard.test:8443/v2/_catalog

Remove it with: make demo-destroy
EOT
