#!/bin/sh
# make-test-image NAME [BIG_MB]: build a three-layer image with no registry pulls:
#   layer 1: a static busybox (so `docker run NAME` works), layer 2: BIG_MB (default 50) of random
#   data, layer 3: a small marker file. Prints the image's layers' sizes.
set -eu
name=$1 big=${2:-50}
dir=$(mktemp -d)
mkdir -p "$dir/bin"
cp /bin/busybox "$dir/bin/busybox"
head -c "$((big * 1024 * 1024))" /dev/urandom >"$dir/big.bin"
date +%s%N >"$dir/marker"
cat >"$dir/Dockerfile" <<EOD
FROM scratch
COPY bin/busybox /bin/busybox
COPY big.bin /data/big.bin
COPY marker /data/marker
CMD ["/bin/busybox", "sh", "-c", "/bin/busybox sha256sum /data/big.bin && /bin/busybox cat /data/marker"]
EOD
DOCKER_BUILDKIT=0 docker build -q -t "$name" "$dir" >/dev/null
rm -rf "$dir"
docker history --format '{{.Size}}' "$name"
