#!/usr/bin/env bash
# `make bench`: the performance suite (issue 7). Brings up the Molecule scenario `bench` (a bare Debian 12
# target and an S3 server, network dockyard-bench), measures, and prints ONE table (also written to
# $BENCH_OUTPUT/table.md, next to every raw figure as JSON and every log). Not part of `make test`.
#   1. the site playbook on the bare target: fresh converge, idempotent re-run (changed=0, no handler),
#      --tags users with one password changed, --tags tls
#   2. bench/htpasswd/run.sh for 50 and 200 users at cost 10 (on this machine, connection local)
#   3. the data path, from the target with curl (bench/datapath.py): registry on 127.0.0.1:5000 vs
#      nginx + TLS, blob upload and download, filesystem storage, then S3 (a re-converge switches)
#   4. latency of an authenticated manifest HEAD at each bcrypt cost (re-hashed by bench/auth_cost.yml)
#   5. nginx streams a 1 GiB upload: its temporary directories stay empty and its memory flat
#   6. nginx's per-address limits (bench/limits.py, on the target): a 30-layer image pushed and pulled by
#      docker (no 429), 200 quick requests from one address (429s beyond the burst), and a wrong-password
#      flood from one address (16 clients, 10 s): how many reached the registry (each a bcrypt check) against
#      the configured rate, and the registry's CPU, beside the same flood through a server without limits
#   7. access rules (issue 13, bench/access.py): the site re-converged with 10 users and 20 repository
#      patterns (bench/access-users.yml), once without rules (nginx_access_rules: []) and once with them, each
#      nginx configuration kept; then, alternating them round by round: authenticated manifest HEADs and a
#      256 MiB download through nginx, with the registry's requests (its log) and CPU per request, and the
#      requests the rules refuse (403 and 401, each after one GET /v2/)
#   8. retention and garbage collection (issue 14, bench/retention.py): on S3 (a re-converge with
#      bench/retention-vars.yml: deletes on, an admin retention user), for each N of BENCH_RETENTION_TAGS: the bucket
#      emptied, then at each bcrypt cost of BENCH_RETENTION_COSTS (the retention user re-hashed) N new tags in 10
#      repositories of their own (each its own small image, pushed from the target), playbooks/maintenance.yml
#      --tags retention --check and then for real (keep_last: BENCH_RETENTION_KEEP per repository); then --tags gc
#      --check and for real, the bucket's objects counted before and after
#   9. robot accounts (issue 15, bench/robots.py): the site re-converged with bench/robots-vars.yml (the human bench at
#      the site's bcrypt cost 10, the robot ci-robot at 4 with a secret generated here, nginx's per-address limits
#      raised out of the way); then, BENCH_ROBOTS_ROUNDS times, BENCH_ROBOTS_CLIENTS kept-alive clients for
#      BENCH_ROBOTS_SECONDS per cell, GET /v2/ and a manifest HEAD, each account, direct and through nginx, and GET /v2/
#      without credentials (401, no bcrypt) as the control: requests a second, statuses, p50/p99, the registry's,
#      nginx's and the clients' CPU seconds
# Settings (environment): BENCH_RUNS (alternating runs per transfer, best kept; 3), BENCH_SIZES (MiB;
# "256 1024"), BENCH_COSTS ("4 6 8 10 12"), BENCH_AUTH_REQUESTS (per median; 21), BENCH_HTPASSWD_USERS
# ("50 200"), BENCH_TUNING_ROUNDS (rounds of the nginx settings A/B, bench/tuning.py, written to
# $BENCH_OUTPUT/tuning.md, not to the table; 3, 0 skips it), BENCH_LAYERS (30) and BENCH_LAYER_KIB (256: small
# layers, so that the requests come as close together as they can), BENCH_BURST (200), BENCH_FLOOD_SECONDS (10),
# BENCH_FLOOD_CLIENTS (16), BENCH_ACCESS_ROUNDS (alternating rounds of step 7; 6: each configuration first
# in half of them), BENCH_ACCESS_SIZE (MiB; 256),
# BENCH_RETENTION_TAGS (tags per retention run, in 10 repositories; "100 500"), BENCH_RETENTION_COSTS (bcrypt
# costs of the retention user; "10 4"), BENCH_RETENTION_KEEP (keep_last; 2: with 10, 100 tags in 10 repositories
# would keep every tag),
# BENCH_ROBOTS_SECONDS (per cell and round of step 9; 10), BENCH_ROBOTS_CLIENTS (16), BENCH_ROBOTS_PROCESSES (the
# clients' processes; 4), BENCH_ROBOTS_ROUNDS (2: the endpoints' order alternating),
# BENCH_ONLY=limits, access, retention or robots (a fresh converge and step 6, 7, 8 or 9 only), BENCH_OUTPUT
# (tests/output/bench), BENCH_KEEP=1 (leave the containers up).
# Exit status: 0 when every measurement ran, whether or not each target was met (the table says).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/../scripts/lib.sh"
cd "$DOCKYARD_ROOT"
export PY_COLORS=0 NO_COLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1

runs=${BENCH_RUNS:-3}
read -ra sizes <<< "${BENCH_SIZES:-256 1024}"
read -ra costs <<< "${BENCH_COSTS:-4 6 8 10 12}"
auth_requests=${BENCH_AUTH_REQUESTS:-21}
read -ra htpasswd_users <<< "${BENCH_HTPASSWD_USERS:-50 200}"
tuning_rounds=${BENCH_TUNING_ROUNDS:-3}
layers=${BENCH_LAYERS:-30}
layer_kib=${BENCH_LAYER_KIB:-256}
burst_requests=${BENCH_BURST:-200}
flood_seconds=${BENCH_FLOOD_SECONDS:-10}
flood_clients=${BENCH_FLOOD_CLIENTS:-16}
# The flood's user is re-hashed at this cost first: cheap enough that the registry alone could check far more
# wrong passwords a second than nginx lets through (at cost 10 two cores check fewer than the default rate).
flood_cost=${BENCH_FLOOD_COST:-4}
access_rounds=${BENCH_ACCESS_ROUNDS:-6}
access_size=${BENCH_ACCESS_SIZE:-256}
read -ra retention_tags <<< "${BENCH_RETENTION_TAGS:-100 500}"
read -ra retention_costs <<< "${BENCH_RETENTION_COSTS:-10 4}"
retention_keep=${BENCH_RETENTION_KEEP:-2}
robots_seconds=${BENCH_ROBOTS_SECONDS:-10}
robots_clients=${BENCH_ROBOTS_CLIENTS:-16}
robots_processes=${BENCH_ROBOTS_PROCESSES:-4}
robots_rounds=${BENCH_ROBOTS_ROUNDS:-2}
only=${BENCH_ONLY:-}
out=${BENCH_OUTPUT:-$DOCKYARD_ROOT/tests/output/bench}
# As in molecule/bench/molecule.yml.
target=bench-target
user=bench
password=bench-Secret-1
largest=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)

rm -rf "$out"
mkdir -p "$out"

# The machine is shared: record its load every 5 s for the table.
(while :; do printf '%s %s\n' "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)"; sleep 5; done) > "$out/load.txt" &
load_sampler=$!
cleanup() {
    kill "$load_sampler" 2>/dev/null || true
    if [[ ${BENCH_KEEP:-0} != 1 ]]; then
        molecule destroy -s bench > "$out/destroy.log" 2>&1 || true
    fi
}
trap cleanup EXIT

python3 - "$out/machine.json" <<'PY'
import json, os, platform, sys, time
model = next((line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo') if line.startswith('model name')), '?')
flags = next((line.split(':', 1)[1].split() for line in open('/proc/cpuinfo') if line.startswith('flags')), [])
json.dump({'nproc': os.cpu_count(), 'cpu': model, 'kernel': platform.release(),
           'cpu_flags': [flag for flag in ('aes', 'vaes', 'sha_ni', 'avx2', 'avx512f') if flag in flags],
           'mem_gib': round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30, 1),
           'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, open(sys.argv[1], 'w'))
PY

# converge NAME [VAR=VALUE...] [-- ANSIBLE-PLAYBOOK ARGS...]: `molecule converge`, timed (wall clock, and the
# playbook's own elapsed time from profile_tasks), output in $out/NAME.log.
converge() {
    local name=$1 start end vars=() args=()
    shift
    while [[ $# -gt 0 && $1 != -- ]]; do vars+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift && args=(-- "$@")
    log "molecule converge ($name) ${args[*]}"
    start=$(date +%s.%N)
    if ! env "${vars[@]}" ANSIBLE_CALLBACKS_ENABLED=ansible.posix.timer,ansible.posix.profile_tasks \
        PROFILE_TASKS_TASK_OUTPUT_LIMIT=all molecule converge -s bench "${args[@]}" > "$out/$name.log" 2>&1; then
        tail -40 "$out/$name.log" >&2
        die "molecule converge ($name) failed: $out/$name.log"
    fi
    end=$(date +%s.%N)
    echo "$end - $start" | bc > "$out/$name.seconds"
}

# On the target: bench/datapath.py with the benchmark user's credentials.
datapath() {
    docker exec -e BENCH_USER="$user" -e BENCH_PASSWORD="$password" "$target" \
        python3 /usr/local/bin/bench-datapath.py "$@"
}

# On the target: bench/limits.py (after `docker cp`), with the benchmark user's credentials.
limits() {
    docker exec -e BENCH_USER="$user" -e BENCH_PASSWORD="$password" "$target" \
        python3 /usr/local/bin/bench-limits.py "$@"
}

# The benchmark user's htpasswd entry at bcrypt cost $1 (bench/auth_cost.yml); its log is $out/rehash-$2.log; any
# further arguments go to ansible-playbook.
rehash() {
    ansible-playbook -i "$target," -c community.docker.docker "$here/auth_cost.yml" \
        -e "bench_cost=$1 bench_user=$user bench_password=$password" "${@:3}" > "$out/rehash-$2.log" 2>&1 ||
        die "re-hashing at cost $1 failed: $out/rehash-$2.log"
}

# Step 6: nginx's per-address limits. Each part starts with this host's allowance whole (limits.py drain).
limits_step() {
    log "6/6 limits: a $layers-layer push and pull, $burst_requests quick requests, a wrong-password flood"
    docker cp "$here/limits.py" "$target:/usr/local/bin/bench-limits.py"
    limits drain > /dev/null
    limits layers /srv/bench "$layers" "$layer_kib" > "$out/limits-layers.json"
    limits drain > /dev/null
    limits burst "$burst_requests" > "$out/limits-burst.json"
    limits drain > /dev/null
    rehash "$flood_cost" limits-flood
    echo "$flood_cost" > "$out/limits-flood-cost"
    limits flood "$flood_seconds" "$flood_clients" > "$out/limits-flood.json"
    # The control: the same flood through a server without the limits (bench/control-server.conf).
    docker cp "$here/control-server.conf" "$target:/etc/nginx/conf.d/zz-bench-control.conf"
    docker exec "$target" sh -c 'nginx -t -q && systemctl reload nginx'
    limits flood "$flood_seconds" "$flood_clients" control > "$out/limits-flood-control.json"
    docker exec "$target" sh -c 'rm /etc/nginx/conf.d/zz-bench-control.conf && nginx -t -q && systemctl reload nginx'
    rehash 10 limits-after
    limits drain > /dev/null
}

# Step 7: access rules against none, same run (bench/access.py). Needs the blob of $access_size MiB in bench/data
# and the manifest bench/auth (steps 3 and 4). The site's users become bench/access-users.yml's 10 (bench among
# them, at the site's bcrypt cost); the next converge (S3) puts the bench's own users back.
access_step() {
    log "7/7 access rules: 10 users, 20 patterns against none, $access_rounds alternating rounds"
    converge converge-access-off -- -e "@$here/access-users.yml" -e '{"nginx_access_rules": []}'
    docker exec "$target" cp /etc/nginx/conf.d/dockyard-registry.conf /etc/nginx/bench-access-off.conf
    converge converge-access-on -- -e "@$here/access-users.yml"
    docker exec "$target" cp /etc/nginx/conf.d/dockyard-registry.conf /etc/nginx/bench-access-on.conf
    # access.py imports datapath.py and limits.py from its own directory.
    docker exec "$target" mkdir -p /usr/local/lib/dockyard-bench
    for script in access datapath limits; do
        docker cp "$here/$script.py" "$target:/usr/local/lib/dockyard-bench/$script.py"
    done
    docker exec -e BENCH_USER="$user" -e BENCH_PASSWORD="$password" "$target" \
        python3 /usr/local/lib/dockyard-bench/access.py compare /srv/bench "$access_rounds" "$access_size" \
        "$auth_requests" /etc/nginx/bench-access-off.conf /etc/nginx/bench-access-on.conf > "$out/access.json"
}

# On the target (or, for `s3`, on the S3 server): bench/retention.py.
retention() {
    docker exec -e BENCH_USER="$user" -e BENCH_PASSWORD="$password" "$target" \
        python3 /usr/local/bin/bench-retention.py "$@"
}

# The bucket's objects, counted (and with `wipe`, deleted first), from the S3 server's own container (moto's Python
# has boto3).
s3_objects() {
    docker exec -e AWS_ACCESS_KEY_ID=AKIADOCKYARDBENCH001 -e AWS_SECRET_ACCESS_KEY=dockyard-bench-secret-key-0001 \
        bench-s3 /opt/moto/bin/python3 /tmp/bench-retention.py s3 http://127.0.0.1:5000 dockyard-bench "$@"
}

# maintenance NAME ARGS...: playbooks/maintenance.yml against the scenario's inventory, on S3, with the retention
# settings; its output as JSON (the ansible.posix.json callback: every task's result and times) in $out/NAME.json,
# the wall clock in $out/NAME.seconds, the registry process's CPU seconds before and after in $out/NAME.cpu.
maintenance() {
    local name=$1 start end
    shift
    log "maintenance.yml $*"
    retention cpu > "$out/$name.cpu"
    start=$(date +%s.%N)
    if ! BENCH_STORAGE=s3 ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible-playbook -i "$inventory" \
        playbooks/maintenance.yml -e "@$here/retention-vars.yml" "$@" > "$out/$name.json" 2> "$out/$name.log"; then
        tail -c 3000 "$out/$name.json" >&2
        die "maintenance.yml $* failed: $out/$name.json"
    fi
    end=$(date +%s.%N)
    echo "$end - $start" | bc > "$out/$name.seconds"
    retention cpu >> "$out/$name.cpu"
}

# Step 8: retention and garbage collection on S3 (bench/retention.py, bench/retention-vars.yml).
retention_step() {
    local tags cost prefix rules checksum
    log "8/8 retention and garbage collection: ${retention_tags[*]} tags in 10 repositories, bcrypt cost ${retention_costs[*]}"
    converge converge-retention BENCH_STORAGE=s3 -- -e "@$here/retention-vars.yml"
    # The scenario's inventory, where Molecule keeps it (its ephemeral directory: the checkout's name, hashed).
    checksum=$(python3 -c 'import sys; from molecule.text import checksum; print(checksum(sys.argv[1], 4))' "${DOCKYARD_ROOT##*/}")
    inventory=${MOLECULE_EPHEMERAL_DIRECTORY:-$HOME/.ansible/tmp/molecule.$checksum.bench}/inventory
    [[ -f $inventory/ansible_inventory.yml ]] || die "no Molecule inventory in $inventory"
    docker cp "$here/retention.py" "$target:/usr/local/bin/bench-retention.py"
    docker cp "$here/retention.py" bench-s3:/tmp/bench-retention.py
    for tags in "${retention_tags[@]}"; do
        # Each N on an empty bucket (what earlier steps stored would be garbage too), and a registry restarted on it.
        s3_objects wipe > "$out/s3-wiped-$tags.json"
        docker exec "$target" docker restart registry > /dev/null
        docker exec "$target" sh -c 'for i in $(seq 60); do
            [ "$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:5000/v2/)" = 401 ] && exit 0; sleep 1; done; exit 1' ||
            die "the registry did not come back after its restart"
        # The pushing user at cost 4: filling is quick, and not what is measured.
        rehash 4 "retention-fill-$tags" -e bench_exclusive=false
        for cost in "${retention_costs[@]}"; do
            prefix=retention/n$tags-c$cost
            rules=$(printf '{"registry_retention_rules": [{"repository": "%s/*", "keep_last": %d}]}' "$prefix" "$retention_keep")
            ansible-playbook -i "$target," -c community.docker.docker "$here/auth_cost.yml" \
                -e "bench_cost=$cost bench_user=bench-retention bench_password=bench-Retention-Secret-1 bench_exclusive=false" \
                > "$out/rehash-retention-$tags-c$cost.log" 2>&1 || die "re-hashing bench-retention failed"
            log "$tags tags in $prefix/repo-0..9"
            retention fill "$prefix" "$tags" 10 > "$out/retention-fill-$tags-c$cost.json"
            maintenance "retention-$tags-c$cost-check" --tags retention --check -e "$rules"
            maintenance "retention-$tags-c$cost" --tags retention -e "$rules"
        done
        s3_objects > "$out/s3-before-gc-$tags.json"
        maintenance "gc-$tags-check" --tags gc --check
        maintenance "gc-$tags" --tags gc
        s3_objects > "$out/s3-after-gc-$tags.json"
    done
}

# Step 9: a human user (cost 10) against a robot account (cost 4), same run (bench/robots.py, bench/robots-vars.yml).
# The robot's secret is generated here, on the controller, into a directory of one file per robot (the secret and a
# newline), where the collection's registry_robots will put it (registry_robot_secrets_dir/<name>): with
# registry_robots, robots-vars.yml lists the robot there instead of in registry_users, and the generation below goes.
# The next converge (S3) puts the bench's own users and the default limits back.
robots_step() {
    local secrets=$out/robot-secrets
    log "9/9 robot accounts: $robots_clients kept-alive clients x ${robots_seconds} s per cell, $robots_rounds rounds, human (cost 10) and robot (cost 4)"
    mkdir -p "$secrets"
    chmod 700 "$secrets"
    python3 -c 'import secrets, string; print("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40)))' \
        > "$secrets/ci-robot"
    converge converge-robots BENCH_ROBOT_SECRETS_DIR="$secrets" -- -e "@$here/robots-vars.yml"
    # robots.py imports datapath.py and limits.py from its own directory.
    docker exec "$target" mkdir -p /usr/local/lib/dockyard-bench
    for script in robots datapath limits; do
        docker cp "$here/$script.py" "$target:/usr/local/lib/dockyard-bench/$script.py"
    done
    # The machine is shared: its load average before and after, beside load.txt's samples.
    uptime > "$out/robots-uptime.txt"
    docker exec -e BENCH_USER="$user" -e BENCH_PASSWORD="$password" -e BENCH_ROBOT_USER=ci-robot \
        -e BENCH_ROBOT_PASSWORD="$(cat "$secrets/ci-robot")" "$target" \
        python3 /usr/local/lib/dockyard-bench/robots.py run "$robots_seconds" "$robots_clients" "$robots_processes" "$robots_rounds" \
        > "$out/robots.json" 2> "$out/robots.log" || { cat "$out/robots.log" >&2; die "bench/robots.py failed: $out/robots.log"; }
    uptime >> "$out/robots-uptime.txt"
}

log "1/6 site playbook: a fresh target, converge twice"
molecule destroy -s bench > "$out/destroy-before.log" 2>&1 || die "molecule destroy failed: $out/destroy-before.log"
molecule create -s bench > "$out/create.log" 2>&1 || die "molecule create failed: $out/create.log"
molecule prepare -s bench > "$out/prepare.log" 2>&1 || die "molecule prepare failed: $out/prepare.log"
converge converge-fresh
if [[ $only == limits ]]; then
    limits_step
    kill "$load_sampler" 2>/dev/null || true
    python3 "$here/report.py" "$out" | tee "$out/table.md"
    exit 0
fi
if [[ $only == retention ]]; then
    retention_step
    kill "$load_sampler" 2>/dev/null || true
    python3 "$here/report.py" "$out" | tee "$out/table.md"
    exit 0
fi
if [[ $only == robots ]]; then
    robots_step
    kill "$load_sampler" 2>/dev/null || true
    python3 "$here/report.py" "$out" | tee "$out/table.md"
    exit 0
fi
if [[ $only == access ]]; then
    docker cp "$here/datapath.py" "$target:/usr/local/bin/bench-datapath.py"
    datapath blobs /srv/bench "$access_size" > "$out/blobs.json"
    # One upload (and download) each way puts the blob into bench/data.
    datapath transfer /srv/bench 1 "$access_size" > "$out/transfer-filesystem.json"
    datapath manifest > "$out/manifest.json"
    access_step
    kill "$load_sampler" 2>/dev/null || true
    python3 "$here/report.py" "$out" | tee "$out/table.md"
    exit 0
fi
converge converge-rerun
# Tags (issue 11): one password changed, the users only; then the certificates only (nothing to do).
converge converge-tags-users BENCH_PASSWORD="$password-changed" -- --tags users
converge converge-tags-tls -- --tags tls
# Back to the benchmark's password for the rest (timed too, not reported).
converge converge-tags-users-back -- --tags users

log "3/6 data path, filesystem storage: $runs alternating runs of ${sizes[*]} MiB"
docker cp "$here/datapath.py" "$target:/usr/local/bin/bench-datapath.py"
datapath blobs /srv/bench "${sizes[@]}" > "$out/blobs.json"
datapath transfer /srv/bench "$runs" "${sizes[@]}" > "$out/transfer-filesystem.json"

log "5/6 streaming: one $largest MiB upload through nginx, sampled"
datapath stream /srv/bench "$largest" > "$out/stream.json"
# The positive control: the same upload through a server with request buffering on must show spooling.
docker cp "$here/control-server.conf" "$target:/etc/nginx/conf.d/zz-bench-control.conf"
docker exec "$target" sh -c 'nginx -t -q && systemctl reload nginx'
datapath stream /srv/bench "$largest" control > "$out/stream-control.json"
docker exec "$target" sh -c 'rm /etc/nginx/conf.d/zz-bench-control.conf && nginx -t -q && systemctl reload nginx'

if [[ $tuning_rounds -gt 0 ]]; then
    log "nginx settings A/B: $tuning_rounds rounds, one $largest MiB upload and download per variant"
    docker cp "$here/tuning.py" "$target:/usr/local/bin/bench-tuning.py"
    docker exec -e BENCH_USER="$user" -e BENCH_PASSWORD="$password" "$target" \
        python3 /usr/local/bin/bench-tuning.py /srv/bench "$tuning_rounds" "$largest" > "$out/tuning.json"
fi

limits_step

log "4/6 authentication latency at bcrypt cost ${costs[*]}"
datapath manifest > "$out/manifest.json"
for cost in "${costs[@]}"; do
    ansible-playbook -i "$target," -c community.docker.docker "$here/auth_cost.yml" \
        -e "bench_cost=$cost bench_user=$user bench_password=$password" > "$out/rehash-$cost.log" 2>&1 ||
        die "re-hashing at cost $cost failed: $out/rehash-$cost.log"
    # About 130 requests through nginx per cost, from one address: each set starts with its allowance whole.
    limits drain > /dev/null
    datapath auth "$auth_requests" > "$out/auth-$cost.json"
done

access_step

robots_step

log "3/6 data path, S3 storage (re-converge with registry_storage: s3)"
converge converge-s3 BENCH_STORAGE=s3
datapath transfer /srv/bench "$runs" "${sizes[@]}" > "$out/transfer-s3.json"

retention_step

log "2/6 htpasswd: idempotent re-run for ${htpasswd_users[*]} users at cost 10"
for users in "${htpasswd_users[@]}"; do
    BENCH_JSON="$out/htpasswd-$users.json" "$here/htpasswd/run.sh" "$users" 10 > "$out/htpasswd-$users.log" 2>&1 ||
        die "bench/htpasswd/run.sh $users failed: $out/htpasswd-$users.log"
done

kill "$load_sampler" 2>/dev/null || true
if [[ -s $out/tuning.json ]]; then
    python3 "$here/report.py" --tuning "$out" > "$out/tuning.md"
    log "nginx settings A/B: $out/tuning.md"
fi
python3 "$here/report.py" "$out" | tee "$out/table.md"
