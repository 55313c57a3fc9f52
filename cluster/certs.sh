#!/usr/bin/env bash
# Generates the cluster's PKI with openssl: one CA, serving and client certs, the service-account key.
# Usage: certs.sh PKI_DIR NODE_NAME NODE_IP SERVICE_IP   (skips work if the CA already exists)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKI="${1:?}" NODE_NAME="${2:?}" NODE_IP="${3:?}" SERVICE_IP="${4:?}"
[[ -f "$PKI/ca.crt" ]] && exit 0
mkdir -p "$PKI"
cd "$PKI"

quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=podscope-local-ca"

# issue NAME SUBJECT [SAN] [EXTENDED_KEY_USAGE]
issue() {
  local name="$1" subj="$2" san="${3:-}" eku="${4:-clientAuth}"
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
# A user with no RBAC bindings at all: what an unprivileged person looks like to the API server.
issue nobody "/O=podscope-test/CN=podscope-nobody"

quiet openssl genrsa -out sa.key 2048
quiet openssl rsa -in sa.key -pubout -out sa.pub
chmod 600 ./*.key
