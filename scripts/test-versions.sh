#!/usr/bin/env bash
# Runs the integration and browser suites on every supported Kubernetes version in turn (each
# version's cluster built once and cached, brought up fresh, stopped afterwards), then prints one
# table — version × suite → passed/failed — and writes it to docs/test-versions.md.
# Too long for every CI run (CI runs the default version); see the README for the last table.
# Env: VERSIONS="1.36 1.37" to run a subset.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/test-lib.sh
source cluster/lib.sh
set +e  # lib.sh stops at the first failure; here a failing suite must not end the run
RESULTS="$(mktemp -d)"
TABLE=docs/test-versions.md
read -r -a versions <<<"${VERSIONS:-${SUPPORTED_VERSIONS[*]}}"

bash scripts/setup.sh || exit 1
npm run -s build || exit 1
mapfile -t integ < <(find test/integration -name '*.test.ts' | sort)
mapfile -t browser < <(find test/browser -name '*.test.ts' | sort)

rows=()
all_ok=1
started_all=$SECONDS
for v in "${versions[@]}"; do
  v="$(resolve_version "$v")"
  echo "════ Kubernetes $v"
  bash cluster/down.sh >/dev/null 2>&1 || true
  started=$SECONDS
  if ! CLUSTER_VERSION="$v" bash cluster/up.sh; then
    rows+=("| $v | cluster did not start | — | — |")
    all_ok=0
    continue
  fi
  up_seconds=$((SECONDS - started))
  cells=()
  for suite in integration browser; do
    out="$RESULTS/$v-$suite.out"
    if [[ $suite == integration ]]; then run_tests "$out" 2 "${integ[@]}"; else run_tests "$out" 1 "${browser[@]}"; fi
    counts="$(runner_counts "$out")"
    if [[ -z "$counts" ]]; then cells+=("no results"); all_ok=0; continue; fi
    read -r p f s <<<"$counts"
    [[ $f -eq 0 && $s -eq 0 ]] || all_ok=0
    cell="$p passed, $f failed"
    [[ $s -gt 0 ]] && cell+=", $s skipped"
    cells+=("$cell")
    # The spec reporter marks each failed test (and its suite) with ✖, then repeats them at the end.
    if [[ $f -gt 0 ]]; then
      grep -E '^ *✖ ' "$out" | grep -v '✖ failing tests:' | sed -E 's/^ *✖ //; s/ \([0-9.]+ms\)$//' |
        awk '!seen[$0]++' | sed "s/^/[$v $suite] /" >>"$RESULTS/failures.txt"
    fi
  done
  server="$("$STATE_DIR/bin/kubectl" --kubeconfig "$STATE_DIR/kubeconfig" version -o json 2>/dev/null \
    | grep -oP '"gitVersion": "\K[^"]+' | tail -1)"
  rows+=("| $v | ${cells[0]} | ${cells[1]} | ${up_seconds}s (server $server) | $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD), $(( (SECONDS - started) / 60 )) min |")
  bash cluster/down.sh >/dev/null 2>&1 || true
done

# A subset run (VERSIONS=…) replaces its versions' rows and keeps the other versions' rows (and their
# failures) from the last table, each with the date and commit it was run at.
declare -A row_of
if [[ -f "$TABLE" ]]; then
  while IFS= read -r line; do
    v="$(awk -F'|' '{gsub(/ /, "", $2); print $2}' <<<"$line")"
    [[ "$v" =~ ^1\.[0-9]+\.[0-9]+$ ]] && row_of[$v]="$line"
  done < <(grep -E '^\| 1\.[0-9]+\.[0-9]+ ' "$TABLE")
  grep -E '^    \[1\.' "$TABLE" | sed 's/^    //' >"$RESULTS/old-failures.txt" || true
fi
for r in "${rows[@]}"; do
  v="$(awk -F'|' '{gsub(/ /, "", $2); print $2}' <<<"$r")"
  row_of[$v]="$r"
done
: >"$RESULTS/all-failures.txt"
for v in "${SUPPORTED_VERSIONS[@]}"; do
  ran=0
  for r in "${versions[@]}"; do [[ "$(resolve_version "$r")" == "$v" ]] && ran=1; done
  if [[ $ran == 1 ]]; then
    grep -F "[$v " "$RESULTS/failures.txt" >>"$RESULTS/all-failures.txt" 2>/dev/null || true
  else
    grep -F "[$v " "$RESULTS/old-failures.txt" >>"$RESULTS/all-failures.txt" 2>/dev/null || true
  fi
done
{
  echo "# Supported Kubernetes versions: last \`npm run test:versions\`"
  echo
  echo "Each version on a fresh local cluster (etcd $ETCD_VERSION, containerd $CONTAINERD_VERSION, runc"
  echo "$(runc --version | sed -n 1p | awk '{print $3}')), $(nproc) cores; the integration and browser suites of the commit named in its row."
  echo
  echo "| Kubernetes | integration | browser | cluster up | run |"
  echo "|---|---|---|---|---|"
  for v in "${SUPPORTED_VERSIONS[@]}"; do
    if [[ -n "${row_of[$v]:-}" ]]; then echo "${row_of[$v]}"; else echo "| $v | not run yet | — | — | — |"; fi
  done
  if [[ -s "$RESULTS/all-failures.txt" ]]; then
    echo
    echo "Failures:"
    echo
    sed 's/^/    /' "$RESULTS/all-failures.txt"
  fi
} >"$TABLE"
npx prettier --write "$TABLE" >/dev/null 2>&1 || true
echo
cat "$TABLE"
rm -rf "$RESULTS"
[[ $all_ok == 1 ]]
