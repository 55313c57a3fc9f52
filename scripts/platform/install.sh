#!/usr/bin/env bash
# Installs Podscope into the running local cluster with its Helm chart, as a platform team would:
# builds the image from this checkout (scripts/image/build-image.sh), imports it into containerd,
# `helm upgrade --install`s charts/podscope (2 replicas behind a NodePort Service on the node IP) and
# waits until every replica is Ready. Prints the URL to open, and with token login (the chart's default)
# makes a ServiceAccount demo/podscope-demo-user to sign in as and prints how to get its token.
# Usage: install.sh [--namespace podscope] [--release podscope] [--node-port 30742|auto] [helm args…]
#        (e.g. --set auth.mode=access-token for one shared access token instead)
# Env: PODSCOPE_DATABASE_URL keeps the audit in that PostgreSQL (chart value database.url).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO/cluster/lib.sh"
source "$CLUSTER_DIR/components.sh"
log() { printf '[platform] %s\n' "$*" >&2; }

namespace=podscope release=podscope node_port=30742
while [[ $# -gt 0 ]]; do
  case "$1" in
    --namespace) namespace="${2:?}"; shift 2 ;;
    --release) release="${2:?}"; shift 2 ;;
    --node-port) node_port="${2:?}"; shift 2 ;;
    *) break ;;
  esac
done
HELM="$HELM_BIN_DIR/helm"
[[ -x "$HELM" ]] || die "helm $HELM_VERSION is not built yet: run bash cluster/build-binaries.sh"
kc get --raw /readyz >/dev/null 2>&1 || die "the local cluster is not running (npm run cluster:up)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
image="$(bash "$REPO/scripts/image/build-image.sh" "$work")"
if ! "$CTR" --address "$CONTAINERD_SOCK" -n k8s.io images check "name==$image" 2>/dev/null | grep -q complete; then
  quiet "$CTR" --address "$CONTAINERD_SOCK" -n k8s.io images import --snapshotter overlayfs "$work/podscope.tar"
  log "image imported: $image"
fi

args=(
  upgrade --install "$release" "$REPO/charts/podscope" --namespace "$namespace" --create-namespace
  --set "image.repository=${image%:*}" --set "image.tag=${image##*:}" --set image.pullPolicy=Never
  # The name the tests and the demo URLs use for the local cluster.
  --set clusterName=podscope-local
  # Two replicas behind the Service (with token login or single sign-on, the chart then needs a database:
  # demo-platform.sh gives it the local PostgreSQL).
  --set replicaCount=2
  # Browsers on this host reach the NodePort on the node IP.
  --set service.type=NodePort --set-json "allowedHosts=[\"$NODE_IP\"]"
  --wait --timeout 240s
)
[[ "$node_port" == auto ]] || args+=(--set "service.nodePort=$node_port")
if [[ -n "${PODSCOPE_DATABASE_URL:-}" ]]; then args+=(--set-string "database.url=$PODSCOPE_DATABASE_URL"); fi
log "helm ${args[*]:0:3} (chart charts/podscope, image $image)"
if ! KUBECONFIG="$STATE_DIR/kubeconfig" "$HELM" "${args[@]}" "$@" >"$work/helm.log" 2>&1; then
  cat "$work/helm.log" >&2
  kc -n "$namespace" get pods -o wide >&2 || true
  die "helm install failed"
fi

fullname="$(kc -n "$namespace" get deployment -l "app.kubernetes.io/instance=$release" -o jsonpath='{.items[0].metadata.name}')"
port="$(kc -n "$namespace" get service "$fullname" -o jsonpath='{.spec.ports[0].nodePort}')"
ready="$(kc -n "$namespace" get deployment "$fullname" -o jsonpath='{.status.readyReplicas}/{.spec.replicas}')"
args_json="$(kc -n "$namespace" get deployment "$fullname" -o jsonpath='{.spec.template.spec.containers[0].args}')"
log "Podscope $image: $ready replicas Ready behind Service $namespace/$fullname (NodePort $port)"
if [[ "$args_json" == *'--auth=oidc'* ]]; then
  # Single sign-on: people sign in at the OpenID provider (the test people: dana, victor, olga, nora,
  # password <name>-password); the provider sends them back to the chart's auth.publicUrl.
  public_url="$(sed -n 's/.*"--public-url=\([^"]*\)".*/\1/p' <<<"$args_json")"
  echo "Open: ${public_url:-http://$NODE_IP:$port}/c/podscope-local/ns/demo"
  echo "Sign in with the OpenID provider (auth.mode=oidc)."
elif [[ "$args_json" == *'--auth=token-login'* ]]; then
  # Token login (the chart's default): someone to sign in as - a ServiceAccount that may read the demo
  # namespace, open terminals and start debug containers there, and nothing else.
  kc apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: ServiceAccount, metadata: { name: podscope-demo-user, namespace: demo } }
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: { name: podscope-demo-user, namespace: demo }
    rules:
      - { apiGroups: [''], resources: [pods, pods/log, events, namespaces], verbs: [get, list, watch] }
      - { apiGroups: [''], resources: [pods/exec], verbs: [get, create] }
      - { apiGroups: [''], resources: [pods/ephemeralcontainers], verbs: [patch] }
      - { apiGroups: [apps], resources: [deployments, replicasets, statefulsets, daemonsets], verbs: [get, list, watch] }
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: { name: podscope-demo-user, namespace: demo }
    roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: podscope-demo-user }
    subjects: [{ kind: ServiceAccount, name: podscope-demo-user, namespace: demo }]
EOF
  echo "Open: http://$NODE_IP:$port/c/podscope-local/ns/demo"
  echo "Sign in with a Kubernetes token, e.g. the demo user's (reads demo, terminals and debug containers there):"
  echo "  $KUBECTL --kubeconfig $STATE_DIR/kubeconfig -n demo create token podscope-demo-user --duration 8h"
  echo "From another machine: kubectl -n $namespace port-forward service/$fullname 7420:80, then http://127.0.0.1:7420/"
else
  token="$(kc -n "$namespace" get secret "$fullname-token" -o jsonpath='{.data.token}' | base64 -d)"
  echo "Open: http://$NODE_IP:$port/c/podscope-local/ns/demo?token=$token"
  echo "From another machine: kubectl -n $namespace port-forward service/$fullname 7420:80, then http://127.0.0.1:7420/?token=$token"
fi
