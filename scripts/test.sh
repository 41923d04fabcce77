#!/usr/bin/env bash
# The whole test suite, in order, stopping at the first failure:
#   lint      yamllint, ansible-lint (production profile, offline), antsibull-changelog lint, role README tables
#   sanity    ansible-test sanity (scripts/sanity.sh)
#   package   build the tarball, install it into an empty path, ansible-doc lists every plugin
#   unit      pytest tests/unit
#   badinput  tests/integration/test_bad_input.py: one bad value per case against a real target
#             container; the play must stop in validation with changed=0 and a message naming it
#   molecule  every molecule/<scenario> with `molecule test` (create, converge, idempotence, verify, destroy),
#             harness first, then the others three at a time (DOCKYARD_MOLECULE_JOBS)
# Usage: scripts/test.sh [step ...]        (default: all steps)
#        MOLECULE_SCENARIOS="harness default" scripts/test.sh molecule
# Ends with a summary line "summary: N passed, N failed".
set -uo pipefail
# shellcheck source=scripts/lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
cd "$DOCKYARD_ROOT" || exit 1
export PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 ANSIBLE_NOCOLOR=1 TERM=dumb

passed=0 failed=0 skipped=0 results=()
summary() {
  printf '\n%-28s %8s  %s\n' step seconds result
  printf '%s\n' "${results[@]}"
  if [ "$skipped" -gt 0 ]; then
    echo "summary: $passed passed, $failed failed, $skipped skipped"
  else
    echo "summary: $passed passed, $failed failed"
  fi
}
trap summary EXIT

# run NAME COMMAND...: time a step, record it, stop everything at the first failure.
run() {
  local name=$1 start rc; shift
  log "== $name: $*"
  start=$(date +%s)
  "$@"; rc=$?
  local took=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); results+=("$(printf '%-28s %8s  passed' "$name" "$took")")
  elif [ "$name" = unit ] && [ "$rc" -eq 5 ]; then
    # pytest's exit code 5: no tests were collected. Not a failure of the code, but say so.
    skipped=$((skipped + 1)); results+=("$(printf '%-28s %8s  skipped (pytest collected no tests)' "$name" "$took")")
  else
    failed=$((failed + 1)); results+=("$(printf '%-28s %8s  FAILED (exit %s)' "$name" "$took" "$rc")")
    exit "$rc"
  fi
}

scenarios() {
  # shellcheck disable=SC2086 # a space-separated list
  if [ -n "${MOLECULE_SCENARIOS:-}" ]; then printf '%s\n' $MOLECULE_SCENARIOS; return; fi
  # bench* scenarios belong to `make bench` (bench/run.sh), not to the test suite.
  for f in molecule/*/molecule.yml; do basename "$(dirname "$f")"; done | grep -v '^bench' | sort
}

# Molecule scenarios are mostly waiting (systemd, apt, TLS handshakes), so they run
# $DOCKYARD_MOLECULE_JOBS at a time (default 3; each has its own container names and network).
# `harness` runs first and alone: when the harness is broken, no other result means anything.
# After a failure no new scenario starts; each scenario's log is in tests/output/molecule/.
molecule_all() {
  local jobs=${DOCKYARD_MOLECULE_JOBS:-3} logs=tests/output/molecule s
  mkdir -p "$logs" && rm -f "$logs"/*.rc
  local all=() rest=()
  mapfile -t all < <(scenarios)
  for s in "${all[@]}"; do [ "$s" = harness ] || rest+=("$s"); done
  if printf '%s\n' "${all[@]}" | grep -qx harness; then
    run "molecule:harness" molecule test -s harness
  fi
  local stop=0
  for s in "${rest[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || stop=1; done
    [ "$stop" = 1 ] && break
    molecule_timed "$s" &
  done
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || true; done
  # Record results in the order the scenarios were listed.
  for s in "${rest[@]}"; do
    [ -f "$logs/$s.rc" ] || continue
    local rc took
    read -r rc took <"$logs/$s.rc"
    if [ "$rc" -eq 0 ]; then
      passed=$((passed + 1)); results+=("$(printf '%-28s %8s  passed' "molecule:$s" "$took")")
    else
      failed=$((failed + 1)); results+=("$(printf '%-28s %8s  FAILED (exit %s, log %s)' "molecule:$s" "$took" "$rc" "$logs/$s.log")")
      log "== molecule:$s failed; the end of its log:"; tail -60 "$logs/$s.log" >&2
    fi
  done
  [ "$failed" -eq 0 ] || exit 1
}

molecule_timed() {
  local s=$1 start rc logs=tests/output/molecule
  start=$(date +%s)
  log "== molecule:$s (log: $logs/$s.log)"
  molecule test -s "$s" >"$logs/$s.log" 2>&1; rc=$?
  echo "$rc $(( $(date +%s) - start ))" >"$logs/$s.rc"
  log "== molecule:$s finished: exit $rc"
  return "$rc"
}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(lint sanity package unit badinput molecule)
for step in "${steps[@]}"; do
  case "$step" in
    lint)
      run yamllint yamllint --strict .
      run ansible-lint ansible-lint --offline --profile production
      run changelog-lint antsibull-changelog lint
      run role-docs python scripts/role_docs.py --check ;;
    sanity)
      run ansible-test-sanity scripts/sanity.sh ;;
    package)
      run package scripts/package-check.sh ;;
    unit)
      run unit pytest -q -n "${DOCKYARD_PYTEST_WORKERS:-2}" tests/unit ;;
    badinput)
      # One process: the cases share two target containers (xdist would start a pair per worker).
      run badinput pytest -p no:xdist -q tests/integration/test_bad_input.py ;;
    molecule)
      molecule_all ;;
    *) die "unknown step $step (lint, sanity, package, unit, badinput, molecule)" ;;
  esac
done
