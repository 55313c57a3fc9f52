#!/usr/bin/env bash
# Shared by test.sh and test-versions.sh. Sourced, never run.

# runner_counts OUTFILE: prints "PASSED FAILED SKIPPED" from node's test runner output (spec
# reporter), failed including cancelled; prints nothing when the runner reported no results.
runner_counts() {
  local out="$1" p f c s
  p=$(grep -oP '^ℹ pass \K\d+' "$out" | tail -1); f=$(grep -oP '^ℹ fail \K\d+' "$out" | tail -1)
  c=$(grep -oP '^ℹ cancelled \K\d+' "$out" | tail -1); s=$(grep -oP '^ℹ skipped \K\d+' "$out" | tail -1)
  [[ -z "$p" ]] && return 0
  echo "$p $((${f:-0} + ${c:-0})) ${s:-0}"
}

# run_tests OUTFILE CONCURRENCY FILES...: node's test runner on FILES, output shown and kept in OUTFILE.
run_tests() {
  local out="$1" concurrency="$2"; shift 2
  node --import tsx --test --test-reporter=spec --test-concurrency="$concurrency" "$@" 2>&1 | tee "$out"
}
