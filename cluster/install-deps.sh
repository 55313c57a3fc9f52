#!/usr/bin/env bash
# Installs the Debian packages the local cluster and its images need. Idempotent and quiet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root_linux

# Host packages: runtime + CNI + tools whose binaries go into the debug tools image.
PACKAGES=(
  containerd runc containernetworking-plugins iptables iproute2 kmod util-linux openssl
  busybox-static bash procps strace curl tcpdump tar less ca-certificates
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  log "debian packages: all present"
  exit 0
fi
log "debian packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
quiet apt-get update -q
quiet apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts containerd as a service on install; the cluster runs its own instance.
if command -v systemctl >/dev/null && systemctl is-active --quiet containerd 2>/dev/null; then
  systemctl stop containerd >/dev/null 2>&1 || true
  systemctl disable containerd >/dev/null 2>&1 || true
fi
log "debian packages: installed"
