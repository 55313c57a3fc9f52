#!/usr/bin/env bash
# Stops the local cluster and removes everything it created on the host: processes (components,
# containerd shims, container processes), mounts, network namespaces and links, cgroups, state.
# The build cache (binaries, images) is kept, so `up` is fast again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"
require_root_linux

# PostgreSQL and the OpenID provider first: their state lives in the state dir removed at the end.
bash "$CLUSTER_DIR/postgres.sh" stop || true
bash "$CLUSTER_DIR/oidc.sh" stop || true

# stop_pid PID SECONDS: SIGTERM, then SIGKILL if it has not exited in time.
stop_pid() {
  local pid="$1" grace="$2" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_component() {
  local pid
  pid="$(component_pid "$1")"
  [[ -n "$pid" ]] && stop_pid "$pid" "$2"
  rm -f "$RUN/$1.pid"
}

# Service rules first (kube-proxy leaves them behind when it stops).
stop_component kube-proxy 10
cleanup_kube_proxy_rules
# Containers next, while containerd still answers; kubelet stopped so it does not restart them.
stop_component kubelet 10
if component_alive containerd; then
  for task in $("$CTR" --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
    "$CTR" --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
  done
  sleep 1
  for task in $("$CTR" --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
    "$CTR" --address "$CONTAINERD_SOCK" -n k8s.io tasks delete -f "$task" >/dev/null 2>&1 || true
  done
fi
for c in containerd kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_component "$c" 15; done

# Anything left in the pods' cgroups, and shims of our containerd, are ours to end.
shopt -s globstar nullglob
for procs in /sys/fs/cgroup/*/kubepods/**/cgroup.procs /sys/fs/cgroup/unified/kubepods/**/cgroup.procs; do
  while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$procs"
done
for pid in $(pgrep -f "containerd-shim.*-address $CONTAINERD_SOCK" || true); do kill -KILL "$pid" 2>/dev/null || true; done
sleep 0.5

# Mounts under the state dir (rootfs overlays, shm, volumes), deepest first; then pod netns files.
for _ in 1 2 3; do
  mapfile -t mounts < <(awk -v d="$STATE_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  [[ ${#mounts[@]} -eq 0 ]] && break
  for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
done
for ns in /run/netns/cni-*; do
  umount -l "$ns" 2>/dev/null || true
  rm -f "$ns"
done

# Links: pod veths on our bridge, the bridge, the node-IP link.
if ip link show "$POD_BRIDGE" >/dev/null 2>&1; then
  for veth in $(ip -o link show master "$POD_BRIDGE" | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip link del "$veth" 2>/dev/null || true
  done
  ip link del "$POD_BRIDGE" 2>/dev/null || true
fi
ip link del "$NODE_LINK" 2>/dev/null || true

# Pod cgroups (kubelet's cgroupfs driver), deepest first.
for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
  [[ -d "$root/kubepods" ]] || continue
  find "$root/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done

rm -rf "$STATE_DIR"
log "cluster stopped and cleaned up (build cache kept in $CACHE_ROOT)"
