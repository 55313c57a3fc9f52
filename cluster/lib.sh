#!/usr/bin/env bash
# Shared settings and helpers for the local cluster scripts. Sourced, never run.
set -euo pipefail

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_DIR/.." && pwd)"

# Pinned versions. Changing one changes the cache key, so a new build happens.
K8S_VERSION="${K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.5.35}"

# Build outputs live outside the work tree so fresh clones (CI) reuse them.
CACHE_ROOT="${PODSCOPE_CACHE:-/var/cache/podscope}"
K8S_BIN_DIR="$CACHE_ROOT/kubernetes-$K8S_VERSION/bin"
ETCD_BIN_DIR="$CACHE_ROOT/etcd-$ETCD_VERSION/bin"

# Everything a running cluster owns: certs, configs, data, logs, pids.
STATE_DIR="${PODSCOPE_CLUSTER_DIR:-$REPO_ROOT/.cluster}"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

require_root_linux() {
  [[ "$(uname -s)" == Linux ]] || die "the local cluster needs Linux (this is $(uname -s))"
  [[ "$(id -u)" -eq 0 ]] || die "the local cluster needs root (containerd, kubelet, mounts); re-run as root"
}

# Run a command; on failure print its captured output and stop.
quiet() {
  local out
  if ! out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "command failed: $*"
  fi
}
