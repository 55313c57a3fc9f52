#!/usr/bin/env bash
# Generates the cluster's PKI with openssl: one CA, serving and client certs, the service-account key.
# Usage: certs.sh PKI_DIR NODE_NAME NODE_IP SERVICE_IP   (keeps what exists: only missing certs are made)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKI="${1:?}" NODE_NAME="${2:?}" NODE_IP="${3:?}" SERVICE_IP="${4:?}"
mkdir -p "$PKI"
cd "$PKI"

[[ -f ca.crt ]] ||
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=podscope-local-ca"

# issue NAME SUBJECT [SAN] [EXTENDED_KEY_USAGE]   (a cert that exists is kept)
issue() {
  local name="$1" subj="$2" san="${3:-}" eku="${4:-clientAuth}"
  [[ -f "$name.crt" ]] && return 0
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$name.ext"
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj"
  quiet openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" \
    -days 3650 -extfile "$name.ext"
  rm -f "$name.csr" "$name.ext"
}

issue apiserver "/CN=kube-apiserver" \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$SERVICE_IP" \
  serverAuth
issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
issue admin "/O=system:masters/CN=kubernetes-admin"
issue controller-manager "/CN=system:kube-controller-manager"
issue scheduler "/CN=system:kube-scheduler"
issue kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME"
issue kubelet-serving "/CN=$NODE_NAME" "DNS:$NODE_NAME,IP:$NODE_IP" serverAuth
# Bound by the default ClusterRoleBinding system:node-proxier.
issue kube-proxy "/CN=system:kube-proxy"
# A user with no RBAC bindings at all: what an unprivileged person looks like to the API server.
issue nobody "/O=podscope-test/CN=podscope-nobody"

if [[ ! -f sa.key ]]; then
  quiet openssl genrsa -out sa.key 2048
  quiet openssl rsa -in sa.key -pubout -out sa.pub
fi
chmod 600 ./*.key
