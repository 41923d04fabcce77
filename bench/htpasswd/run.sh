#!/usr/bin/env bash
# Benchmark: idempotent re-run of N htpasswd users at bcrypt cost C against localhost,
# dockyard.registry.htpasswd (one task) vs community.general.htpasswd (a loop, crypt_scheme: bcrypt).
# Usage: bench/htpasswd/run.sh [USERS=50] [COST=10]
# Both files are created first (same users, same cost), then each playbook is timed three times,
# alternating, and the best time of each is kept. "task" is the time of the htpasswd task(s) alone,
# "playbook" the whole ansible-playbook run (adds ansible's start-up, the same for both).
# Not part of CI: run by hand, or by bench/run.sh (`make bench`), which sets BENCH_JSON=<file> to also get
# the figures as JSON. Needs the project virtualenv (scripts/setup.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/../../scripts/lib.sh"

users=${1:-50}
cost=${2:-10}
[[ $users =~ ^[0-9]+$ && $users -gt 0 ]] || die "USERS must be a positive number, got '$users'"
[[ $cost =~ ^[0-9]+$ ]] || die "COST must be a number, got '$cost'"

bench_dir=$(mktemp -d)
trap 'rm -rf "$bench_dir"' EXIT
python - "$users" > "$bench_dir/users.yml" <<'PY'
import secrets
import sys
print('users:')
for i in range(1, int(sys.argv[1]) + 1):
    print('  - {name: user%03d, password: "%s"}' % (i, secrets.token_urlsafe(18)))
PY

playbook() {
    ansible-playbook -i localhost, -c local -e "bench_dir=$bench_dir cost=$cost" -e "@$bench_dir/users.yml" "$@"
}

# Prints "<task seconds> <playbook seconds>".
timed() {
    local start end out
    start=$(date +%s.%N)
    out=$(playbook "$here/$1.yml") || { printf '%s\n' "$out" >&2; die "$1.yml failed"; }
    end=$(date +%s.%N)
    task=$(printf '%s\n' "$out" | sed -n 's/.*TASK_SECONDS=\([0-9.]*\).*/\1/p')
    [[ -n $task ]] || { printf '%s\n' "$out" >&2; die "no TASK_SECONDS in the output of $1.yml"; }
    echo "$task $(echo "$end - $start" | bc)"
}

log "Creating two files with $users users at cost $cost in $bench_dir"
playbook "$here/setup.yml" > /dev/null

declare -A best_task best_play
for round in 1 2 3; do
    for who in dockyard community; do
        read -r task play < <(timed "$who")
        log "round $round: $who task ${task}s, playbook ${play}s"
        if [[ -z ${best_task[$who]:-} ]] || (($(echo "$task < ${best_task[$who]}" | bc))); then best_task[$who]=$task; fi
        if [[ -z ${best_play[$who]:-} ]] || (($(echo "$play < ${best_play[$who]}" | bc))); then best_play[$who]=$play; fi
    done
done

echo
echo "Idempotent re-run, $users users, bcrypt cost $cost, $(nproc) cores, best of 3 (seconds)"
printf '%-48s %10s %10s\n' "" task playbook
printf '%-48s %10.2f %10.2f\n' "dockyard.registry.htpasswd (1 task)" "${best_task[dockyard]}" "${best_play[dockyard]}"
printf '%-48s %10.2f %10.2f\n' "community.general.htpasswd (loop of $users)" "${best_task[community]}" "${best_play[community]}"
printf '%-48s %9.1fx %9.1fx\n' "ratio" "$(echo "${best_task[community]} / ${best_task[dockyard]}" | bc -l)" \
    "$(echo "${best_play[community]} / ${best_play[dockyard]}" | bc -l)"
echo
scaling=$(python "$here/scaling.py" "$users" "$cost" --json)
python - "$scaling" <<'PY'
import json
import sys
s = json.loads(sys.argv[1])
print('verify %d bcrypt hashes at cost %d (best of 3)' % (s['users'], s['cost']))
print('%-22s %8s' % ('workers', 'seconds'))
print('%-22s %8.2f' % ('1', s['serial']))
print('%-22s %8.2f' % ('%d (os.cpu_count())' % s['cores'], s['parallel']))
print('speed-up %.2fx on %d cores' % (s['serial'] / s['parallel'], s['cores']))
PY
if [[ -n ${BENCH_JSON:-} ]]; then
    printf '{"users": %d, "cost": %d, "dockyard": {"task": %s, "playbook": %s}, "community": {"task": %s, "playbook": %s}, "scaling": %s}\n' \
        "$users" "$cost" "${best_task[dockyard]}" "${best_play[dockyard]}" "${best_task[community]}" "${best_play[community]}" \
        "$scaling" > "$BENCH_JSON"
fi
