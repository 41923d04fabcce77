#!/usr/bin/env bash
# The whole test suite, in order, stopping at the first failure:
#   lint      yamllint, ansible-lint (production profile, offline), antsibull-changelog lint, role README tables
#   sanity    ansible-test sanity (scripts/sanity.sh)
#   package   build the tarball, install it into an empty path, ansible-doc lists every plugin
#   unit      pytest tests/unit
#   molecule  every molecule/<scenario> with `molecule test` (create, converge, idempotence, verify, destroy)
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
  # harness first: when it fails, nothing else can be trusted.
  for f in molecule/*/molecule.yml; do basename "$(dirname "$f")"; done | sort | awk '$0=="harness"{print; next} {rest[NR]=$0} END{for (i in rest) print rest[i]}'
}

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(lint sanity package unit molecule)
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
    molecule)
      for s in $(scenarios); do run "molecule:$s" molecule test -s "$s"; done ;;
    *) die "unknown step $step (lint, sanity, package, unit, molecule)" ;;
  esac
done
