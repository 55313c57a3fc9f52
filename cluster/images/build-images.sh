#!/usr/bin/env bash
# Builds the cluster's container images as `docker save`-layout tarballs, without Docker or a registry:
#   registry.k8s.io/pause:3.10    pod sandbox (static C program)
#   podscope.local/app:1           busybox-static: the demo workloads' image
#   podscope.local/debug-tools:1   Debian's bash, procps, strace, curl, iproute2, tcpdump, tar, less… + busybox
#   podscope.local/noshell:1       one static binary and nothing else
#   podscope.local/coredns:VERSION the cluster DNS (CoreDNS built by build-binaries.sh), nothing else
# Tarballs are cached by a hash of this folder, the host's tool package versions and CoreDNS's version.
# Usage: build-images.sh OUT_DIR   (prints the tarball paths, one per line)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$CLUSTER_DIR/images/image-lib.sh"

OUT_DIR="${1:?usage: build-images.sh OUT_DIR}"
IMAGES_SRC="$CLUSTER_DIR/images"
DEBUG_TOOLS=(bash ps top pgrep pkill free watch strace curl ip ss tcpdump tar gzip less setpriv nsenter)
TOOL_PACKAGES=(bash procps strace curl iproute2 tcpdump tar gzip less util-linux busybox-static libc6)

inputs_hash() {
  {
    cat "$IMAGES_SRC"/*
    dpkg-query -W -f='${Package} ${Version}\n' "${TOOL_PACKAGES[@]}"
    echo "coredns $COREDNS_VERSION"
  } | sha256sum | cut -c1-16
}

ENV_PATH='"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'

build_all() {
  local dest="$1" tmp
  tmp="$(mktemp -d)"

  gcc -static -Os -s -o "$tmp/pause" "$IMAGES_SRC/pause.c"
  gcc -static -Os -s -o "$tmp/noshell-app" "$IMAGES_SRC/noshell-app.c"

  mkdir -p "$tmp/pause-root"
  cp "$tmp/pause" "$tmp/pause-root/pause"
  make_image registry.k8s.io/pause:3.10 "$tmp/pause-root" '{"Entrypoint":["/pause"],"User":"65535:65535"}' "$dest/pause.tar"

  mkdir -p "$tmp/noshell-root/tmp"
  chmod 1777 "$tmp/noshell-root/tmp"
  cp "$tmp/noshell-app" "$tmp/noshell-root/app"
  make_image podscope.local/noshell:1 "$tmp/noshell-root" '{"Entrypoint":["/app"],"WorkingDir":"/"}' "$dest/noshell.tar"

  base_files "$tmp/app-root"
  add_busybox "$tmp/app-root"
  make_image podscope.local/app:1 "$tmp/app-root" "{$ENV_PATH,\"Cmd\":[\"sh\"],\"WorkingDir\":\"/\"}" "$dest/app.tar"

  local tools="$tmp/tools-root" t
  base_files "$tools"
  for t in "${DEBUG_TOOLS[@]}"; do add_binary "$tools" "$t"; done
  ln -sf /usr/bin/bash "$tools/bin/bash"
  add_busybox "$tools"
  ln -sf /usr/bin/bash "$tools/bin/sh"
  for t in /lib/terminfo /usr/share/terminfo/x/xterm-256color; do
    [[ -e "$t" ]] && cp -a --parents "$t" "$tools/"
  done
  printf 'export PS1="[debug \\u@\\h \\W]\\$ "\n' >"$tools/root/.bashrc"
  # A setuid-root copy of coreutils' id: tests prove a non-root session cannot become root through one.
  add_binary "$tools" id
  mkdir -p "$tools/usr/local/bin"
  cp "$tools/usr/bin/id" "$tools/usr/local/bin/suid-id"
  chmod 4755 "$tools/usr/local/bin/suid-id"
  make_image podscope.local/debug-tools:1 "$tools" \
    "{$ENV_PATH,\"Cmd\":[\"bash\"],\"WorkingDir\":\"/root\"}" "$dest/debug-tools.tar"

  # CoreDNS is static: the binary, a /tmp, and a non-root user that needs no capability (it listens
  # on 1053; the kube-dns Service maps port 53 to it).
  [[ -x "$COREDNS_BIN_DIR/coredns" ]] || die "coredns is not built yet (run cluster/build-binaries.sh)"
  mkdir -p "$tmp/coredns-root/tmp"
  chmod 1777 "$tmp/coredns-root/tmp"
  cp "$COREDNS_BIN_DIR/coredns" "$tmp/coredns-root/coredns"
  make_image "$COREDNS_IMAGE" "$tmp/coredns-root" '{"Entrypoint":["/coredns"],"User":"65532:65532","WorkingDir":"/"}' \
    "$dest/coredns.tar"
  rm -rf "$tmp"
}

main() {
  local key dest
  key="$(inputs_hash)"
  dest="$CACHE_ROOT/images/$key"
  if [[ ! -f "$dest/.complete" ]]; then
    log "images: building (cache key $key)"
    rm -rf "$dest" && mkdir -p "$dest"
    build_all "$dest"
    touch "$dest/.complete"
  fi
  mkdir -p "$OUT_DIR"
  for f in pause noshell app debug-tools coredns; do
    ln -sf "$dest/$f.tar" "$OUT_DIR/$f.tar"
    echo "$OUT_DIR/$f.tar"
  done
}
main
