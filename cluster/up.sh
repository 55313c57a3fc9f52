#!/usr/bin/env bash
# Starts the local single-node cluster (idempotent: a healthy running cluster is reused).
#   OpenID provider → etcd → kube-apiserver → controller-manager, scheduler → containerd → kubelet → kube-proxy
# then imports the locally built images, deploys CoreDNS (cluster/addons.sh) and applies the demo
# workloads in namespace `demo`.
# Env: CLUSTER_VERSION=1.36 (or 1.36.3) picks a supported Kubernetes version (default: the newest);
# a running cluster of another version is stopped first. PODSCOPE_SKIP_DEMO=1 skips the demo
# workloads; PODSCOPE_CLUSTER_DIR moves the state dir.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"
require_root_linux

started=$SECONDS

running_version="$(cat "$STATE_DIR/version" 2>/dev/null || echo unknown)"
if cluster_healthy && [[ "$running_version" != "$CLUSTER_VERSION" ]]; then
  log "cluster running Kubernetes $running_version, $CLUSTER_VERSION wanted: stopping it first"
  bash "$CLUSTER_DIR/down.sh"
fi
if cluster_healthy; then
  log "cluster already running Kubernetes $CLUSTER_VERSION (state in $STATE_DIR)"
else
  if [[ -d "$STATE_DIR/run" ]]; then
    log "found a partly running or stale cluster: cleaning it up first"
    bash "$CLUSTER_DIR/down.sh"
  fi
  bash "$CLUSTER_DIR/install-deps.sh"
  bash "$CLUSTER_DIR/build-binaries.sh"
  start_cluster
fi
# The OpenID provider (start_cluster starts it before the API server; here for a reused cluster).
bash "$CLUSTER_DIR/oidc.sh" start
[[ -f "$STATE_DIR/authentication-config.yaml" ]] ||
  log "warning: this API server was started without trusting the OpenID provider; restart the cluster (cluster:down, cluster:up)"
# PostgreSQL (Debian's server) for platform mode: on 127.0.0.1 and the node IP, so pods reach it.
bash "$CLUSTER_DIR/postgres.sh" start

import_images
bash "$CLUSTER_DIR/addons.sh"
if [[ "${PODSCOPE_SKIP_DEMO:-0}" != 1 ]]; then
  apply_demo
fi
log "ready in $((SECONDS - started))s — kubeconfig: $STATE_DIR/kubeconfig, kubectl: $STATE_DIR/bin/kubectl"
