#!/usr/bin/env bash
# Building blocks for container images without Docker or a registry: a root filesystem assembled from
# the host's files, written as a one-layer `docker save` tarball that `ctr images import` reads.
# Sourced (after lib.sh), never run.

# Copies a dynamically linked executable and every library it loads into ROOTFS.
add_binary() {
  local rootfs="$1" name="$2" path lib
  path="$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$name")" || die "image: '$name' is not installed on this host"
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
# "@CONTENT@" in NAME becomes the first 12 hex digits of the layer's digest (a tag per content).
make_image() {
  local name="$1" rootfs="$2" config="$3" out="$4" work diff_id
  work="$(mktemp -d)"
  tar --numeric-owner --sort=name --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
  diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  name="${name//@CONTENT@/${diff_id:7:12}}"
  cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":$config,
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"podscope cluster/images/image-lib.sh"}]}
JSON
  printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]\n' "$name" >"$work/manifest.json"
  tar --numeric-owner -C "$work" -cf "$out.tmp" manifest.json config.json layer.tar
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# The image name (RepoTags) a tarball made by make_image carries.
image_name() {
  tar -xOf "$1" manifest.json | grep -oE '"RepoTags":\["[^"]+' | cut -d'"' -f4
}
