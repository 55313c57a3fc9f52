#!/usr/bin/env bash
# Builds the cluster's container images as `docker save`-layout tarballs, without Docker or a registry:
#   registry.k8s.io/pause:3.10    pod sandbox (static C program)
#   podscope.local/app:1           busybox-static: the demo workloads' image
#   podscope.local/debug-tools:1   Debian's bash, procps, strace, curl, iproute2, tcpdump, tar, less… + busybox
#   podscope.local/noshell:1       one static binary and nothing else
# Tarballs are cached by a hash of this folder and the host's tool package versions.
# Usage: build-images.sh OUT_DIR   (prints the tarball paths, one per line)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

OUT_DIR="${1:?usage: build-images.sh OUT_DIR}"
IMAGES_SRC="$CLUSTER_DIR/images"
DEBUG_TOOLS=(bash ps top pgrep pkill free watch strace curl ip ss tcpdump tar gzip less setpriv nsenter)
TOOL_PACKAGES=(bash procps strace curl iproute2 tcpdump tar gzip less util-linux busybox-static libc6)

inputs_hash() {
  {
    cat "$IMAGES_SRC"/*
    dpkg-query -W -f='${Package} ${Version}\n' "${TOOL_PACKAGES[@]}"
  } | sha256sum | cut -c1-16
}

# Copies a dynamically linked executable and every library it loads into ROOTFS.
add_binary() {
  local rootfs="$1" name="$2" path lib
  path="$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$name")" || die "debug tools image: '$name' not installed"
  cp -L --parents "$path" "$rootfs/"
  for lib in $(ldd "$path" 2>/dev/null | grep -oE '/[^ ]+' || true); do
    [[ -e "$rootfs$lib" ]] || cp -L --parents "$lib" "$rootfs/"
  done
}

base_files() {
  local rootfs="$1"
  mkdir -p "$rootfs"/{bin,etc,tmp,root,home/app,proc,sys,dev,var/tmp,usr/bin}
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  chown 1000:1000 "$rootfs/home/app"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
}

add_busybox() {
  local rootfs="$1" applet
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ -e "$rootfs/bin/$applet" || -e "$rootfs/usr/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
  done
}

# make_image NAME ROOTFS CONFIG_JSON_FRAGMENT OUT_TAR
make_image() {
  local name="$1" rootfs="$2" config="$3" out="$4" work diff_id
  work="$(mktemp -d)"
  tar --numeric-owner --sort=name --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
  diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":$config,
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"podscope cluster/images/build-images.sh"}]}
JSON
  printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "$name" >"$work/manifest.json"
  tar --numeric-owner -C "$work" -cf "$out.tmp" manifest.json config.json layer.tar
  mv "$out.tmp" "$out"
  rm -rf "$work"
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
  for f in pause noshell app debug-tools; do
    ln -sf "$dest/$f.tar" "$OUT_DIR/$f.tar"
    echo "$OUT_DIR/$f.tar"
  done
}
main
