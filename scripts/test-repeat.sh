#!/usr/bin/env bash
# Runs one test file N times (default 20) against the running local cluster and prints how many runs
# passed, so a flaky test can be shown fixed: `npm run test:repeat -- test/browser/crashloop-logs.test.ts 20`.
# Each failed run's output is kept in test-results/repeat/ for reading.
set -uo pipefail
cd "$(dirname "$0")/.."

file="${1:-}"
runs="${2:-20}"
if [[ -z "$file" || ! -f "$file" ]]; then
  echo "usage: npm run test:repeat -- <test file> [runs]" >&2
  exit 2
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "runs must be a positive number (got \"$runs\")" >&2
  exit 2
fi
case "$file" in
  src/*) ;; # unit tests need no cluster
  *)
    if ! bash cluster/status.sh >/dev/null 2>&1; then
      echo "the local cluster is not running: start it with \`npm run cluster:up\`" >&2
      exit 2
    fi
    ;;
esac
if [[ "$file" == test/browser/* && ! -f dist/web/index.html ]]; then npm run -s build; fi

out_dir="test-results/repeat"
mkdir -p "$out_dir"
passed=0 failed=0
start=$SECONDS
for ((i = 1; i <= runs; i++)); do
  log="$out_dir/$(basename "$file" .ts)-run$i.log"
  run_start=$SECONDS
  if node --import tsx --test --test-reporter=spec "$file" >"$log" 2>&1; then
    passed=$((passed + 1))
    rm -f "$log"
    echo "run $i/$runs: passed ($((SECONDS - run_start)) s)"
  else
    failed=$((failed + 1))
    echo "run $i/$runs: FAILED ($((SECONDS - run_start)) s) — output kept in $log"
  fi
done
echo "$file: $passed of $runs runs passed in $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
