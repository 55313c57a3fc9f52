#!/usr/bin/env bash
# Shared settings and helpers for the local cluster scripts. Sourced, never run.
set -euo pipefail
# Under `set -e` a failing command ends a script without a word; say which one failed, and where.
set -o errtrace
trap 'cluster_err_rc=$?; [[ $- == *e* ]] && printf "[cluster] error: \`%s\` failed (exit %s) at %s line %s\n" "$BASH_COMMAND" "$cluster_err_rc" "${BASH_SOURCE[0]##*/}" "$LINENO" >&2' ERR

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_DIR/.." && pwd)"

# Supported Kubernetes versions (the three newest minor releases), newest first. CLUSTER_VERSION
# picks one by minor ("1.36") or exact patch ("1.36.3"); the default is the newest.
SUPPORTED_VERSIONS=(1.37.2 1.36.3 1.35.4)
resolve_version() {
  local want="${1#v}" v
  for v in "${SUPPORTED_VERSIONS[@]}"; do
    if [[ "$v" == "$want" || "${v%.*}" == "$want" ]]; then echo "$v"; return; fi
  done
  printf '[cluster] error: Kubernetes %s is not supported here (supported: %s)\n' "$1" "${SUPPORTED_VERSIONS[*]}" >&2
  exit 1
}
CLUSTER_VERSION="$(resolve_version "${CLUSTER_VERSION:-${SUPPORTED_VERSIONS[0]}}")"

# Pinned versions per Kubernetes version. Changing one changes the cache key, so a new build happens.
K8S_VERSION="v$CLUSTER_VERSION"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
# From 1.36 the kubelet needs a CRI runtime that reports its cgroup driver (containerd 2.x); all
# supported versions run on the same containerd, built from the Go module proxy.
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.4.2}"

# Cluster add-ons and tools, the same for every Kubernetes version.
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"

# Build outputs live outside the work tree so fresh clones (CI) reuse them.
CACHE_ROOT="${PODSCOPE_CACHE:-/var/cache/podscope}"
K8S_BIN_DIR="$CACHE_ROOT/kubernetes-$K8S_VERSION/bin"
ETCD_BIN_DIR="$CACHE_ROOT/etcd-$ETCD_VERSION/bin"
CONTAINERD_BIN_DIR="$CACHE_ROOT/containerd-$CONTAINERD_VERSION/bin"
CTR="$CONTAINERD_BIN_DIR/ctr"
COREDNS_BIN_DIR="$CACHE_ROOT/coredns-$COREDNS_VERSION/bin"
HELM_BIN_DIR="$CACHE_ROOT/helm-$HELM_VERSION/bin"
COREDNS_IMAGE="podscope.local/coredns:${COREDNS_VERSION#v}"

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
