#!/usr/bin/env bash
# How each cluster component is configured, started and checked. Sourced by up/down/status.
source "$CLUSTER_DIR/images/image-lib.sh"

NODE_NAME=podscope-node
NODE_IP=10.213.0.1            # on a bridge with no ports (this kernel has no dummy links)
NODE_LINK=podscope-node0
POD_BRIDGE=podscope-br0
POD_CIDR=10.214.0.0/24
SERVICE_CIDR=10.215.0.0/24
SERVICE_IP=10.215.0.1
APISERVER_PORT=6443
# The API server listens on the node IP only: host clients (kubeconfigs) and pods (through the
# `kubernetes` Service, whose endpoint is this advertise address) reach it there, while it stays off
# the host's other interfaces (never 0.0.0.0).
APISERVER_ADDRESS=$NODE_IP
APISERVER_URL="https://$APISERVER_ADDRESS:$APISERVER_PORT"
ETCD_PORT=2379

PKI="$STATE_DIR/pki"
RUN="$STATE_DIR/run"        # pid files
LOGS="$STATE_DIR/logs"
CONTAINERD_SOCK="$STATE_DIR/containerd/containerd.sock"
KUBECTL="$STATE_DIR/bin/kubectl"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)

component_pid() { cat "$RUN/$1.pid" 2>/dev/null || true; }
component_alive() {
  local pid
  pid="$(component_pid "$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

kc() { "$KUBECTL" --kubeconfig "$STATE_DIR/kubeconfig" "$@"; }

cluster_healthy() {
  local c
  [[ -x "$KUBECTL" ]] || return 1
  for c in "${COMPONENTS[@]}"; do component_alive "$c" || return 1; done
  kc get --raw /readyz >/dev/null 2>&1
}

# Prints the tail of a component's log and fails.
fail_component() {
  local c="$1" why="$2"
  printf '\n===== last 40 lines of %s =====\n' "$LOGS/$c.log" >&2
  tail -n 40 "$LOGS/$c.log" >&2 2>/dev/null || true
  die "$c: $why"
}

start_component() {
  local name="$1"; shift
  log "starting $name"
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$RUN/$name.pid"
}

# wait_until COMPONENT DESCRIPTION SECONDS COMMAND...
wait_until() {
  local c="$1" what="$2" timeout="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    component_alive "$c" || fail_component "$c" "exited while waiting for: $what"
    ((SECONDS < deadline)) || fail_component "$c" "timed out after ${timeout}s waiting for: $what"
    sleep 0.5
  done
}

write_kubeconfig() {
  local file="$1" user="$2" cert="$3" key="$4"
  cat >"$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: podscope-local
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI/ca.crt
users:
- name: $user
  user:
    client-certificate: $cert
    client-key: $key
contexts:
- name: podscope-local
  context:
    cluster: podscope-local
    user: $user
    namespace: demo
current-context: podscope-local
KC
}

prepare_host() {
  mkdir -p "$RUN" "$LOGS" "$STATE_DIR/bin" "$STATE_DIR/cni/net.d" "$STATE_DIR/containerd"
  ln -sf "$K8S_BIN_DIR/kubectl" "$KUBECTL"
  ln -sf "$HELM_BIN_DIR/helm" "$STATE_DIR/bin/helm"
  sysctl -qw net.ipv4.ip_forward=1
  # Each followed container log costs the kubelet an inotify instance; the kernel's default of 128 per
  # user makes the kubelet refuse follows beyond that. Raised, never lowered.
  local inotify
  inotify="$(sysctl -n fs.inotify.max_user_instances)"
  ((inotify >= 8192)) || sysctl -qw fs.inotify.max_user_instances=8192
  if ! ip link show "$NODE_LINK" >/dev/null 2>&1; then
    ip link add "$NODE_LINK" type bridge
    ip addr add "$NODE_IP/32" dev "$NODE_LINK"
  fi
  ip link set "$NODE_LINK" up
  # kubelet's OOM watcher reads /dev/kmsg (kind links it to /dev/console where it is missing).
  [[ -e /dev/kmsg ]] || ln -s /dev/console /dev/kmsg
}

start_etcd() {
  start_component etcd "$ETCD_BIN_DIR/etcd" \
    --name podscope --data-dir "$STATE_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster podscope=http://127.0.0.1:2380 \
    --unsafe-no-fsync --log-level warn --quota-backend-bytes 2147483648
  wait_until etcd "etcd health" 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  start_component kube-apiserver "$K8S_BIN_DIR/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$APISERVER_ADDRESS" --advertise-address "$NODE_IP" --secure-port "$APISERVER_PORT" \
    --authorization-mode Node,RBAC \
    --client-ca-file "$PKI/ca.crt" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --allow-privileged=true --profiling=false \
    --enable-admission-plugins NodeRestriction \
    --authentication-config "$STATE_DIR/authentication-config.yaml"
  wait_until kube-apiserver "API server /readyz" 90 \
    curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "$APISERVER_URL/readyz"
}

start_controllers() {
  write_kubeconfig "$STATE_DIR/controller-manager.kubeconfig" system:kube-controller-manager \
    "$PKI/controller-manager.crt" "$PKI/controller-manager.key"
  write_kubeconfig "$STATE_DIR/scheduler.kubeconfig" system:kube-scheduler "$PKI/scheduler.crt" "$PKI/scheduler.key"
  start_component kube-controller-manager "$K8S_BIN_DIR/kube-controller-manager" \
    --kubeconfig "$STATE_DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE_DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE_DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --controllers '*,-node-ipam-controller'
  start_component kube-scheduler "$K8S_BIN_DIR/kube-scheduler" \
    --kubeconfig "$STATE_DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE_DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE_DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false
}

start_containerd() {
  cat >"$STATE_DIR/cni/net.d/10-podscope.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "podscope",
  "plugins": [
    {
      "type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$STATE_DIR/cni/ipam" }
    }
  ]
}
JSON
  cat >"$STATE_DIR/containerd/config.toml" <<TOML
version = 2
root = "$STATE_DIR/containerd/root"
state = "$STATE_DIR/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  enable_selinux = false
  # This host lacks CAP_SYS_RESOURCE, so nothing may lower oom_score_adj below containerd's own
  # (kubelet asks -998 for sandboxes); without this every sandbox fails in runc.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE_DIR/cni/net.d"
TOML
  # containerd finds its shim (containerd-shim-runc-v2) on PATH; runc is Debian's.
  start_component containerd env PATH="$CONTAINERD_BIN_DIR:$PATH" \
    "$CONTAINERD_BIN_DIR/containerd" --config "$STATE_DIR/containerd/config.toml"
  wait_until containerd "containerd socket" 30 "$CTR" --address "$CONTAINERD_SOCK" version
}

start_kubelet() {
  write_kubeconfig "$STATE_DIR/kubelet.kubeconfig" "system:node:$NODE_NAME" "$PKI/kubelet-client.crt" "$PKI/kubelet-client.key"
  cat >"$STATE_DIR/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
cgroupDriver: cgroupfs
# These hosts run cgroup v1 (hybrid); from 1.35 the kubelet refuses it unless told otherwise.
failCgroupV1: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
failSwapOn: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { "memory.available": "0%", "nodefs.available": "0%", "imagefs.available": "0%", "nodefs.inodesFree": "0%" }
localStorageCapacityIsolation: false
serializeImagePulls: false
resolvConf: /etc/resolv.conf
# CoreDNS (cluster/addons.sh) answers here, behind the kube-dns Service.
clusterDNS: [10.215.0.10]
clusterDomain: cluster.local
maxPods: 110
containerLogMaxSize: 100Mi
containerLogMaxFiles: 3
YAML
  start_component kubelet "$K8S_BIN_DIR/kubelet" \
    --config "$STATE_DIR/kubelet-config.yaml" --kubeconfig "$STATE_DIR/kubelet.kubeconfig" \
    --root-dir "$STATE_DIR/kubelet" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --v 1
}

# Services: ClusterIPs and NodePorts become iptables DNAT rules (iptables-nft on this host; the
# nf_tables backend and br_netfilter are available, so pod-to-Service traffic over the bridge is seen).
start_kube_proxy() {
  write_kubeconfig "$STATE_DIR/kube-proxy.kubeconfig" system:kube-proxy "$PKI/kube-proxy.crt" "$PKI/kube-proxy.key"
  cat >"$STATE_DIR/kube-proxy-config.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $STATE_DIR/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
# NodePorts on the node IP only (not on the host's public interface, not on 127.0.0.1, which would
# need route_localnet).
nodePortAddresses: [primary]
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Zero leaves the host's conntrack sysctls as they are (the host is shared with other work).
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  syncPeriod: 30s
  minSyncPeriod: 1s
YAML
  start_component kube-proxy "$K8S_BIN_DIR/kube-proxy" --config "$STATE_DIR/kube-proxy-config.yaml" --v 1
  wait_until kube-proxy "kube-proxy /healthz" 60 curl -fsS http://127.0.0.1:10256/healthz
}

# Removes the Service rules kube-proxy wrote (it leaves them behind when it stops).
cleanup_kube_proxy_rules() {
  local bin="$K8S_BIN_DIR/kube-proxy"
  [[ -x "$bin" ]] || return 0
  "$bin" --cleanup >/dev/null 2>&1 || true
}

node_ready() {
  [[ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

start_cluster() {
  prepare_host
  echo "$CLUSTER_VERSION" >"$STATE_DIR/version"
  bash "$CLUSTER_DIR/certs.sh" "$PKI" "$NODE_NAME" "$NODE_IP" "$SERVICE_IP"
  write_kubeconfig "$STATE_DIR/kubeconfig" kubernetes-admin "$PKI/admin.crt" "$PKI/admin.key"
  write_kubeconfig "$STATE_DIR/kubeconfig-nobody" podscope-nobody "$PKI/nobody.crt" "$PKI/nobody.key"
  # The OpenID provider first: the API server trusts it (people's ID tokens are credentials) and fetches
  # its discovery document and keys once it runs.
  bash "$CLUSTER_DIR/oidc.sh" start
  bash "$CLUSTER_DIR/oidc.sh" write-authn-config "$STATE_DIR/authentication-config.yaml"
  start_etcd
  start_apiserver
  start_controllers
  start_containerd
  import_images
  start_kubelet
  wait_until kubelet "node $NODE_NAME Ready" 120 node_ready
  start_kube_proxy
  wait_until kube-controller-manager "ServiceAccount default/default" 60 kc -n default get serviceaccount default
  log "node $NODE_NAME is Ready"
}

import_images() {
  local tar name
  for tar in $(bash "$CLUSTER_DIR/images/build-images.sh" "$STATE_DIR/images"); do
    name="$(image_name "$tar")"
    if ! "$CTR" --address "$CONTAINERD_SOCK" -n k8s.io images check "name==$name" 2>/dev/null | grep -q complete; then
      quiet "$CTR" --address "$CONTAINERD_SOCK" -n k8s.io images import --snapshotter overlayfs "$tar"
      log "image imported: $name"
    fi
  done
}

apply_demo() {
  quiet kc apply -f "$CLUSTER_DIR/demo/"
  log "demo workloads applied in namespace demo"
}
