#!/usr/bin/env bash
# Installs everything Podscope's demo and tests need on a fresh machine (idempotent):
# npm packages, Debian's Chromium for browser tests, and the cluster's Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# node-gyp (better-sqlite3) must not try to download Node headers: use the installed ones.
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]]; then export npm_config_nodedir=/usr; fi
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ "${PODSCOPE_NO_BROWSER:-0}" != 1 ]] && [[ ! -x /usr/bin/chromium ]]; then
  echo "[setup] installing Debian's chromium (browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends chromium >/dev/null
fi
bash cluster/install-deps.sh
