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
echo "[demo] Podscope: http://$HOST:$PORT/c/podscope-local/ns/demo   (Ctrl-C stops Podscope; \`npm run cluster:down\` stops the cluster)"
exec node bin/podscope.js --kubeconfig .cluster/kubeconfig --host "$HOST" --port "$PORT" "$@"
