#!/usr/bin/env bash
# Installs the Debian packages the local cluster and its images need. Idempotent and quiet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root_linux

# Host packages: runtime + CNI + tools whose binaries go into the debug tools image; PostgreSQL for
# Podscope's platform mode (cluster/postgres.sh runs its own instance of it).
PACKAGES=(
  containerd runc containernetworking-plugins iptables iproute2 kmod util-linux openssl
  busybox-static bash procps strace curl tcpdump tar less ca-certificates postgresql
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
# Likewise Debian's own PostgreSQL cluster (`main`, port 5432): cluster/postgres.sh runs its own instance.
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
  while read -r version name _; do
    pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
    echo manual >"/etc/postgresql/$version/$name/start.conf"
  done < <(pg_lsclusters -h 2>/dev/null)
fi
log "debian packages: installed"
