#!/usr/bin/env bash
# Starts the local single-node cluster (idempotent: a healthy running cluster is reused).
#   etcd → kube-apiserver → controller-manager, scheduler → containerd → kubelet
# then imports the locally built images and applies the demo workloads in namespace `demo`.
# Env: PODSCOPE_SKIP_DEMO=1 skips the demo workloads; PODSCOPE_CLUSTER_DIR moves the state dir.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"
require_root_linux

started=$SECONDS

if cluster_healthy; then
  log "cluster already running (state in $STATE_DIR)"
else
  if [[ -d "$STATE_DIR/run" ]]; then
    log "found a partly running or stale cluster: cleaning it up first"
    bash "$CLUSTER_DIR/down.sh"
  fi
  bash "$CLUSTER_DIR/install-deps.sh"
  bash "$CLUSTER_DIR/build-binaries.sh"
  start_cluster
fi

import_images
if [[ "${PODSCOPE_SKIP_DEMO:-0}" != 1 ]]; then
  apply_demo
fi
log "ready in $((SECONDS - started))s — kubeconfig: $STATE_DIR/kubeconfig, kubectl: $STATE_DIR/bin/kubectl"
