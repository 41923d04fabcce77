#!/bin/sh
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# restart_until_purge.sh CONTAINER MAX: restart the registry container until its log says its first
# upload purge starts in 0s (or, after 60 tries, in 0s or 1m0s), at most MAX times; print
# {"attempts", "seconds", "first_purge_in", "since"}.
#
# Why: distribution 2.8.2 waits a random 0-59 MINUTES before its first upload purge (and logs
# "Starting upload purge in <d>"), then purges every `interval`. The delay comes from crypto/rand
# (the binary holds "Failed to generate random jitter"), not from a time-seeded math/rand, so it
# cannot be predicted: each start has a 1 in 60 chance of 0s. A restart takes about 0.5 s (up to
# 2 s on a busy machine). 0s is taken at once; after 60 tries 1m0s is taken too (a minute's wait
# instead of more restarts), so 300 tries all fail with probability (59/60)^60 (58/60)^240 ~ 1e-4.
set -eu
name=$1 max=$2 n=0 start=$(date +%s)
while [ "$n" -lt "$max" ]; do
  n=$((n + 1))
  since=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
  docker restart -t 0 "$name" >/dev/null
  line=
  for _ in $(seq 100); do
    line=$(docker logs --since "$since" "$name" 2>&1 | grep -o -m1 'Starting upload purge in [0-9hms.]*') && break
    sleep 0.1
  done
  case "$n:$line" in
    *" in 0s" | [6-9][0-9]:*" in 1m0s" | [1-9][0-9][0-9]:*" in 1m0s")
      printf '{"attempts": %d, "seconds": %d, "first_purge_in": "%s", "since": "%s"}\n' \
        "$n" "$(($(date +%s) - start))" "${line##* in }" "$since"
      exit 0
      ;;
  esac
done
echo "after $max restarts the first upload purge was never 0s (or, after 60, 1m0s) away (last: $line)" >&2
exit 1
