#!/usr/bin/env bash
# Deploys the cluster add-ons into a running local cluster (idempotent): CoreDNS as Deployment
# kube-system/coredns behind Service kube-dns (10.215.0.10, the kubelet's clusterDNS), and waits until
# it answers. Called by up.sh; safe to run again at any time.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"
require_root_linux

kc get --raw /readyz >/dev/null 2>&1 || die "the cluster is not running (npm run cluster:up)"
import_images
sed "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|g" "$CLUSTER_DIR/addons/coredns.yaml" | quiet kc apply -f -
if ! kc -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null 2>&1; then
  kc -n kube-system get pods -l k8s-app=kube-dns -o wide >&2 || true
  kc -n kube-system logs deployment/coredns --tail=30 >&2 || true
  die "CoreDNS did not become ready within 120 s"
fi
log "cluster DNS ready: CoreDNS $COREDNS_VERSION behind kube-system/kube-dns (10.215.0.10)"
