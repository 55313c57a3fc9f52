#!/usr/bin/env bash
# The main job on a fresh machine: install what is needed, bring up the local cluster with its
# broken demo workloads, build Podscope and start it against that cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-7420}"
HOST="${HOST:-127.0.0.1}"

PODSCOPE_NO_BROWSER=1 bash scripts/setup.sh
bash cluster/up.sh
echo "[demo] building Podscope"
npm run -s build >/dev/null
echo
echo "[demo] Ctrl-C stops Podscope; \`npm run cluster:down\` stops the cluster"
# Podscope prints its URL with this start's access token; the token works on any page, so the demo
# namespace's URL is printed with it too.
node bin/podscope.js --kubeconfig .cluster/kubeconfig --host "$HOST" --port "$PORT" "$@" |
  while IFS= read -r line; do
    printf '%s\n' "$line"
    if [[ $line =~ running\ at\ (http://[^ ]+)/\?token=([A-Za-z0-9_-]+) ]]; then
      echo "[demo] open the demo namespace: ${BASH_REMATCH[1]}/c/podscope-local/ns/demo?token=${BASH_REMATCH[2]}"
    fi
  done
