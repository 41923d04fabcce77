#!/bin/sh
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the molecule docker scenario's stand-in for download.docker.com in /srv/mirror (see prepare.yml):
#   keys: a "right" and a "wrong" OpenPGP key (fingerprints in /srv/mirror/fingerprints, as gpg prints them)
#   www/{right,wrong,badsig}/linux/debian/{gpg,dists/SUITE/...,pool/...}: Docker's layout, one package
#   tls/: a CA and a certificate for HOST
# Usage: make-mirror.sh SUITE HOST
set -eu
suite=$1
host=$2
base=/srv/mirror
arch=$(dpkg --print-architecture)
umask 022
rm -rf "$base"  # a run cut short starts over
mkdir -p "$base"
export GNUPGHOME="$base/gnupg"
mkdir -m 0700 "$GNUPGHOME"

# Keys like Docker's: a certification key with a signing subkey.
for name in right wrong; do
  gpg --batch --passphrase '' --quick-generate-key "dockyard test mirror $name <$name@mirror.dockyard.test>" ed25519 cert never
  fpr=$(gpg --with-colons --list-keys "$name@mirror.dockyard.test" | awk -F: '/^fpr/ {print $10; exit}')
  gpg --batch --passphrase '' --quick-add-key "$fpr" ed25519 sign never
  gpg --armor --export "$fpr" >"$base/$name.asc"
  echo "$name=$fpr" >>"$base/fingerprints.new"
done

# The package and the repository's index files.
work=$(mktemp -d)
pkg="$work/dockyard-mirror-probe"
mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/doc/dockyard-mirror-probe"
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: dockyard-mirror-probe
Version: 1.0
Architecture: all
Maintainer: dockyard.registry tests <tests@dockyard.test>
Description: marker package of the molecule docker scenario's stand-in Docker repository
CONTROL
echo "Installed from the molecule docker scenario's stand-in Docker repository." \
  >"$pkg/usr/share/doc/dockyard-mirror-probe/README"
repo="$work/repo"
mkdir -p "$repo/pool/stable" "$repo/dists/$suite/stable/binary-$arch"
deb=pool/stable/dockyard-mirror-probe_1.0_all.deb
dpkg-deb --root-owner-group --build "$pkg" "$repo/$deb" >/dev/null
packages="stable/binary-$arch/Packages"
{
  cat "$pkg/DEBIAN/control"
  echo "Filename: $deb"
  echo "Size: $(stat -c %s "$repo/$deb")"
  echo "SHA256: $(sha256sum <"$repo/$deb" | cut -d' ' -f1)"
} >"$repo/dists/$suite/$packages"
cat >"$repo/dists/$suite/Release" <<RELEASE
Origin: dockyard test mirror
Label: dockyard test mirror
Suite: $suite
Codename: $suite
Architectures: $arch
Components: stable
Date: $(date -Ru)
SHA256:
 $(sha256sum <"$repo/dists/$suite/$packages" | cut -d' ' -f1) $(stat -c %s "$repo/dists/$suite/$packages") $packages
RELEASE

# prefix, key served at <prefix>/linux/debian/gpg, key that signs the repository (InRelease)
layout() {
  dir="$base/www/$1/linux/debian"
  mkdir -p "$dir"
  cp -r "$repo/dists" "$repo/pool" "$dir/"
  cp "$base/$2.asc" "$dir/gpg"
  gpg --batch --yes --local-user "$3@mirror.dockyard.test" --clearsign \
    --output "$dir/dists/$suite/InRelease" "$dir/dists/$suite/Release"
}
layout right right right
layout wrong wrong right
layout badsig right wrong

# TLS: a CA of the mirror's own and a certificate for HOST.
tls="$base/tls"
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=dockyard test mirror CA" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host" \
  -keyout "$tls/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n' \
  "$host" >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 30 \
  -extfile "$work/server.ext" -out "$tls/server.crt" 2>/dev/null
rm -rf "$work"
# Last: prepare.yml runs this script only while the file is missing.
mv "$base/fingerprints.new" "$base/fingerprints"
