#!/usr/bin/env bash
# Platform mode on this machine: the local cluster (with kube-proxy, CoreDNS and Helm), then Podscope
# deployed into it with its Helm chart (2 replicas behind a NodePort Service), and the URL to open.
# Env: PODSCOPE_DATABASE_URL: the PostgreSQL for the audit and the login sessions; default the local
# cluster's (cluster/postgres.sh), which pods reach on the node IP. The replicas share it: a sign-in on
# one is good on the other, and any of them serves any recording.
set -euo pipefail
cd "$(dirname "$0")/.."

PODSCOPE_NO_BROWSER=1 bash scripts/setup.sh
bash cluster/up.sh
PODSCOPE_DATABASE_URL="${PODSCOPE_DATABASE_URL:-$(bash cluster/postgres.sh url --node)}"
export PODSCOPE_DATABASE_URL
bash scripts/platform/install.sh --namespace podscope --release podscope --node-port 30742 "$@"
echo "[demo] \`helm -n podscope uninstall podscope\` removes it; \`npm run cluster:down\` stops the cluster"
