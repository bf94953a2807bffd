#!/usr/bin/env bash
# The project's one test command (`npm test`, and what CI runs):
#   setup → build → typecheck → unit tests → integration tests in VS Code (code-server) → UI test →
#   Getting Started walkthrough UI test → the packaged .vsix checked (contents, size) → the quick benchmarks
#   (`npm run bench -- --quick`: every group with small counts; a crash or a missing figure fails).
# Each stage's output is shown and kept in test-results/<stage>.log. The last line is
# `tests: N passed, N failed` (all stages together); the exit code is non-zero if anything failed.
#
# Options: --no-editor  skip the integration and UI stages (quick inner loop: build, typecheck, unit).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/test-results"
mkdir -p "$RESULTS"
# The machine's npm config carries a setting npm warns about on every call; keep the output readable.
export npm_config_loglevel=error

with_editor=1
for arg in "$@"; do
  case "$arg" in
    --no-editor) with_editor=0 ;;
    *) echo "usage: scripts/test.sh [--no-editor]" >&2; exit 2 ;;
  esac
done

total_passed=0
total_failed=0
summary_lines=()

# stage NAME COMMAND...: runs one stage, shows and logs its output, returns its exit code.
stage() {
  local name="$1"; shift
  local log="$RESULTS/$name.log"
  printf '\n== %s ==\n' "$name"
  STAGE_STARTED=$SECONDS
  "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

elapsed() { echo "$((SECONDS - STAGE_STARTED)) s"; }

# A stage that is not a test runner counts as one failure when it fails.
record_step() {
  local name="$1" rc="$2"
  if [ "$rc" -eq 0 ]; then
    summary_lines+=("$(printf '  %-12s ok  (%s)' "$name" "$(elapsed)")")
  else
    total_failed=$((total_failed + 1))
    summary_lines+=("$(printf '  %-12s FAILED, exit %s  (%s)' "$name" "$rc" "$(elapsed)")")
  fi
}

# A test runner's counts come from its closing line ("integration: 3 passed, 0 failed") or, for mocha,
# from its "N passing / N failing" lines. A run that failed without counting anything counts as one failure.
record_tests() {
  local name="$1" rc="$2" passed failed
  local log="$RESULTS/$name.log"
  local clean
  clean="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
  if grep -qE '^[a-z]+: [0-9]+ passed, [0-9]+ failed' <<<"$clean"; then
    local line
    line="$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' <<<"$clean" | tail -n1)"
    passed="$(sed -E 's/^[a-z]+: ([0-9]+) passed.*/\1/' <<<"$line")"
    failed="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")"
  else
    passed="$(grep -oE '^ *[0-9]+ passing' <<<"$clean" | tail -n1 | grep -oE '[0-9]+' || true)"
    failed="$(grep -oE '^ *[0-9]+ failing' <<<"$clean" | tail -n1 | grep -oE '[0-9]+' || true)"
    passed="${passed:-0}"
    failed="${failed:-0}"
  fi
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # ran no test
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary_lines+=("$(printf '  %-12s %s passed, %s failed  (%s)' "$name" "$passed" "$failed" "$(elapsed)")")
}

skip() {
  total_failed=$((total_failed + 1))
  summary_lines+=("$(printf '  %-12s not run: %s' "$1" "$2")")
}

finish() {
  printf '\n== summary ==\n'
  printf '%s\n' "${summary_lines[@]}"
  echo "tests: $total_passed passed, $total_failed failed"
  [ "$total_failed" -eq 0 ]
  exit
}

stage setup bash scripts/setup.sh
rc=$?; record_step setup "$rc"
[ "$rc" -eq 0 ] || finish

# Compiled tests of deleted sources would still run from a stale out/; a fresh CI clone has none anyway.
if [ -n "${CI:-}" ]; then rm -rf out; fi

stage build npm run --silent build
rc=$?; record_step build "$rc"
built=$rc

stage typecheck npm run --silent typecheck
rc=$?; record_step typecheck "$rc"

stage unit npm run --silent test:unit
rc=$?; record_tests unit "$rc"

if [ "$with_editor" -eq 1 ]; then
  if [ "$built" -ne 0 ]; then
    skip integration "the build failed"
    skip ui "the build failed"
    skip ui-panel "the build failed"
    skip ui-model-view "the build failed"
  elif [ ! -f out/test/integration/index.js ]; then
    skip integration "the tests did not compile"
    stage ui node test/ui/hints.ui.mjs
    rc=$?; record_tests ui "$rc"
    stage ui-panel node test/ui/panel.ui.mjs
    rc=$?; record_tests ui-panel "$rc"
    skip ui-model-view "the tests did not compile"
  else
    stage integration node scripts/run-vscode-tests.mjs
    rc=$?; record_tests integration "$rc"
    stage ui node test/ui/hints.ui.mjs
    rc=$?; record_tests ui "$rc"
    stage ui-panel node test/ui/panel.ui.mjs
    rc=$?; record_tests ui-panel "$rc"
    stage ui-model-view node test/ui/model-view.ui.mjs
    rc=$?; record_tests ui-model-view "$rc"
  fi
fi

if [ "$with_editor" -eq 1 ] && [ "$built" -eq 0 ]; then
  stage ui-walkthrough node test/ui/walkthrough.ui.mjs
  rc=$?; record_tests ui-walkthrough "$rc"
fi

# Last: packaging and the benchmark runner rebuild dist/ for production, which the editor stages must not see half-way.
stage package bash -c 'npm run --silent package && npx mocha --no-config --timeout 60000 "out/test/package/*.test.js"'
rc=$?; record_tests package "$rc"

stage bench npm run --silent bench -- --quick
rc=$?; record_step bench "$rc"

finish
