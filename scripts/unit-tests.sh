#!/usr/bin/env bash
# Runs the pure unit tests (no cluster): every src/**/*.test.ts and cluster/**/*.test.ts (the test provider), with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src cluster -name '*.test.ts' | sort)
[[ ${#files[@]} -gt 0 ]] || { echo "no unit tests found" >&2; exit 1; }
exec node --import tsx --test --test-reporter=spec "${files[@]}"
