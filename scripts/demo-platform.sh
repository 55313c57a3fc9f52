#!/usr/bin/env bash
# Platform mode on this machine: the local cluster (with kube-proxy, CoreDNS and Helm), then Podscope
# deployed into it with its Helm chart (2 replicas behind a NodePort Service), and the URL to open.
# Env: PODSCOPE_DATABASE_URL keeps the audit in that PostgreSQL instead of each pod's SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

PODSCOPE_NO_BROWSER=1 bash scripts/setup.sh
bash cluster/up.sh
bash scripts/platform/install.sh --namespace podscope --release podscope --node-port 30742 "$@"
echo "[demo] \`helm -n podscope uninstall podscope\` removes it; \`npm run cluster:down\` stops the cluster"
