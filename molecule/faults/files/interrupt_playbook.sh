#!/usr/bin/env bash
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# interrupt_playbook.sh SIGNAL PATTERN LOG COMMAND...: run COMMAND (an ansible-playbook run) in its
# own process group with its output in LOG, and send SIGNAL to the whole group as soon as a line of
# LOG matches PATTERN (an extended regex). Exit 0 when it was interrupted that way, 1 when the
# command ended first or PATTERN never showed within 10 minutes.
set -u
signal=$1 pattern=$2 log=$3
shift 3
setsid "$@" >"$log" 2>&1 &
pid=$!
for _ in $(seq 3000); do
  if grep -qE "$pattern" "$log"; then
    kill -s "$signal" -- "-$pid"
    wait "$pid"
    echo "sent SIG$signal to the run (exit $?) at: $(grep -E "$pattern" "$log" | tail -1)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the run ended before a line matched $pattern:"
    tail -20 "$log"
    exit 1
  fi
  sleep 0.2
done
kill -s KILL -- "-$pid"
echo "no line matched $pattern in 10 minutes"
exit 1
