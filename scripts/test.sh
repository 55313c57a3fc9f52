#!/usr/bin/env bash
# Everything CI runs: static checks, unit tests, then integration and browser tests against the
# real local cluster (brought up here and stopped at the end, even on failure), then the cluster
# lifecycle test. Ends with one summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
RESULTS="$(mktemp -d)"
passed=0 failed=0 skipped=0
source scripts/test-lib.sh

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

# A named check that is not a test runner (lint, build…): one pass or one failure.
check() {
  local name="$1"; shift
  echo "── $name"
  if "$@"; then passed=$((passed + 1)); else echo "✖ $name failed"; failed=$((failed + 1)); fi
}

# Runs node's test runner on FILES, adding its counts to the totals.
phase() {
  local name="$1"; shift
  local out="$RESULTS/$name.out"
  echo "── $name tests"
  run_tests "$out" "${TEST_CONCURRENCY:-2}" "$@"
  local counts p f s
  counts="$(runner_counts "$out")"
  if [[ -z "$counts" ]]; then echo "✖ $name: the test runner reported no results"; failed=$((failed + 1)); return; fi
  read -r p f s <<<"$counts"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

check lint npx eslint --max-warnings 0 .
check format npx prettier --check . --log-level warn
check typecheck npm run -s typecheck
check build npm run -s build

mapfile -t unit < <(find src cluster -name '*.test.ts' | sort)
phase unit "${unit[@]}"

cluster_was_running=0
bash cluster/status.sh >/dev/null 2>&1 && cluster_was_running=1
stop_cluster() { [[ $cluster_was_running == 1 ]] || bash cluster/down.sh || true; }
trap stop_cluster EXIT

if bash cluster/up.sh; then
  passed=$((passed + 1))
  mapfile -t integ < <(find test/integration -name '*.test.ts' | sort)
  phase integration "${integ[@]}"
  mapfile -t browser < <(find test/browser -name '*.test.ts' | sort)
  [[ ${#browser[@]} -gt 0 ]] && TEST_CONCURRENCY=1 phase browser "${browser[@]}"
  if [[ $cluster_was_running == 0 || "${CI:-}" == true ]]; then
    TEST_CONCURRENCY=1 phase lifecycle test/lifecycle/*.test.ts
  else
    echo "── lifecycle test not run: it would stop the cluster you started yourself (it always runs in CI)"
  fi
else
  echo "✖ the local cluster did not come up; component logs:"
  for f in "$ROOT"/.cluster/logs/*.log; do echo "===== $f"; tail -n 30 "$f"; done
  failed=$((failed + 1))
fi

rm -rf "$RESULTS"
echo
if [[ $skipped -gt 0 ]]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[[ $failed -eq 0 ]]
