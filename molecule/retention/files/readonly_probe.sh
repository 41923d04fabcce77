#!/usr/bin/env bash
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# readonly_probe.sh AUTH REPO IMAGE TIMEOUT: while a maintenance run goes on, start an upload (POST) in REPO every
# 0.1 s (cancelling each one that starts, so nothing stays behind) until one is refused with 405; then push IMAGE
# (a local tag, registry/REPO:...) with docker, which must fail; then go on polling until an upload starts again.
# Prints JSON: when read-only was first seen and when read-write again (epoch seconds), the refusal's headers and body,
# and the push's exit code and output. Exit 0 when both changes were seen, 1 when TIMEOUT seconds passed first.
set -uo pipefail
auth=$1 repo=$2 image=$3 timeout=$4
base=https://registry.dockyard.test
ca=/tmp/registry-ca.pem
start=$(date +%s.%N)
polls=0

post() {
  curl -sS -o /tmp/probe-body -D /tmp/probe-headers -w '%{http_code}' --cacert "$ca" -u "$auth" -X POST \
    "$base/v2/$repo/blobs/uploads/" 2>/dev/null || echo 000
}
cancel() {
  local location
  location=$(grep -i '^location:' /tmp/probe-headers | tr -d '\r' | cut -d' ' -f2-)
  case "$location" in /*) location=$base$location ;; esac
  [ -n "$location" ] && curl -sS -o /dev/null --cacert "$ca" -u "$auth" -X DELETE "$location"
}
late() { awk -v now="$(date +%s.%N)" -v start="$start" -v limit="$timeout" 'BEGIN { exit !(now - start > limit) }'; }

code=
while :; do
  code=$(post)
  polls=$((polls + 1))
  [ "$code" = 405 ] && break
  [ "$code" = 202 ] && cancel
  late && { echo "{\"error\": \"no 405 in $timeout s (last status $code)\", \"polls\": $polls}"; exit 1; }
  sleep 0.1
done
read_only=$(date +%s.%N)
refusal=$(cat /tmp/probe-body)
refusal_headers=$(tr -d '\r' </tmp/probe-headers)
push_output=$(docker --config /root/.docker-ci push "$image" 2>&1)
push_rc=$?
push_done=$(date +%s.%N)
while :; do
  code=$(post)
  polls=$((polls + 1))
  [ "$code" = 202 ] && { cancel; break; }
  late && { echo "{\"error\": \"still no 202 after $timeout s (last status $code)\", \"polls\": $polls}"; exit 1; }
  sleep 0.1
done
read_write=$(date +%s.%N)
jq -n --arg start "$start" --arg read_only "$read_only" --arg push_done "$push_done" --arg read_write "$read_write" \
  --arg refusal "$refusal" --arg refusal_headers "$refusal_headers" --arg push_output "$push_output" --argjson push_rc "$push_rc" --argjson polls "$polls" \
  '{start: ($start | tonumber), read_only: ($read_only | tonumber), push_done: ($push_done | tonumber),
    read_write: ($read_write | tonumber), $refusal, $refusal_headers, $push_output, $push_rc, $polls}'
