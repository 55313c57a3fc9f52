#!/usr/bin/env bash
# Builds the Podscope container image from this checkout without Docker or a registry, as a
# `docker save` tarball (like the cluster's other images), equivalent to the Dockerfile:
#   /usr/local/bin/node         the host's Node 20 and the glibc/libstdc++ it loads (Debian 12, as in
#                               the Dockerfile's gcr.io/distroless/cc-debian12 base)
#   /app/{package.json,bin,dist,node_modules}   the built server and web app, production dependencies
#                               only (npm ci --omit=dev, then scripts/image/prune-node-modules.sh)
#   /etc/passwd, /etc/group     root and nonroot (65532), as distroless has them
#   /data                       XDG_DATA_HOME: the audit database and recordings (mount a volume)
#   user 65532:65532, port 7420, entrypoint node /app/bin/podscope.js; works on a read-only root
#   filesystem (only /data and /tmp are written).
# Usage: build-image.sh OUT_DIR   → OUT_DIR/podscope.tar (a link into the cache), prints the image name
#   (podscope.local/podscope:VERSION-CONTENTHASH: a new tag whenever a file changes). Cached in
#   $CACHE_ROOT/podscope-image/ by a hash of the sources, the lockfile and the Node binary.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO/cluster/lib.sh"
source "$CLUSTER_DIR/images/image-lib.sh"
log() { printf '[image] %s\n' "$*" >&2; }

OUT_DIR="${1:?usage: build-image.sh OUT_DIR}"
NONROOT=65532
VERSION="$(node -p 'require(process.argv[1]).version' "$REPO/package.json")"
[[ "$(node -p 'process.versions.node.split(".")[0]')" == 20 ]] || die "the image carries the host's Node, which must be 20 (found $(node --version))"

inputs_hash() {
  (
    cd "$REPO"
    find package.json package-lock.json tsconfig*.json bin src scripts/image cluster/images/image-lib.sh \
      -type f -not -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum
    sha256sum "$(readlink -f "$(command -v node)")"
  ) | sha256sum | cut -c1-16
}
cached="$CACHE_ROOT/podscope-image/$(inputs_hash)"
mkdir -p "$OUT_DIR" "$CACHE_ROOT/podscope-image"
# Two builds at once (two test files, or a test and the demo) take turns; the second finds the cache.
exec 9>"$CACHE_ROOT/podscope-image/.lock"
flock 9
if [[ -f "$cached/podscope.tar" ]]; then
  ln -sf "$cached/podscope.tar" "$OUT_DIR/podscope.tar"
  image_name "$cached/podscope.tar"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"

log "podscope image: building the server and web app"
# Into the work directory, never the checkout's dist/: a server running from it (a test, the demo)
# keeps its files.
(
  cd "$REPO" &&
    npx tsc -p tsconfig.server.json --outDir "$work/dist" &&
    npx vite build --config src/web/vite.config.ts --outDir "$work/dist/web" --emptyOutDir
) >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "npm run build failed"; }

log "podscope image: production dependencies (npm ci --omit=dev)"
mkdir -p "$work/deps"
cp "$REPO/package.json" "$REPO/package-lock.json" "$work/deps/"
# Scripts stay off: the one native addon (better-sqlite3) is taken from this checkout's build, which
# was compiled for this same Node binary; its version must be the locked one.
(cd "$work/deps" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error) >&2
addon=build/Release/better_sqlite3.node
want="$(node -p 'require(process.argv[1]).version' "$work/deps/node_modules/better-sqlite3/package.json")"
have="$(node -p 'require(process.argv[1]).version' "$REPO/node_modules/better-sqlite3/package.json")"
[[ "$want" == "$have" && -f "$REPO/node_modules/better-sqlite3/$addon" ]] ||
  die "better-sqlite3 $want is locked but this checkout has $have built (run npm ci first)"
mkdir -p "$work/deps/node_modules/better-sqlite3/build/Release"
cp "$REPO/node_modules/better-sqlite3/$addon" "$work/deps/node_modules/better-sqlite3/$addon"
bash "$REPO/scripts/image/prune-node-modules.sh" "$work/deps/node_modules"

log "podscope image: assembling the root filesystem"
mkdir -p "$root"/{app,etc/ssl/certs,tmp,data,usr/local/bin,home/nonroot}
chmod 1777 "$root/tmp"
cp "$REPO/package.json" "$root/app/"
cp -r "$REPO/bin" "$work/dist" "$root/app/"
cp -a "$work/deps/node_modules" "$root/app/node_modules"
node_bin="$(readlink -f "$(command -v node)")"
cp "$node_bin" "$root/usr/local/bin/node"
for lib in $(ldd "$node_bin" | grep -oE '/[^ ]+'); do cp -L --parents "$lib" "$root/"; done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n' "$NONROOT" "$NONROOT" >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' "$NONROOT" >"$root/etc/group"
chown "$NONROOT:$NONROOT" "$root/data" "$root/home/nonroot"
chmod -R a+rX,go-w "$root/app"

config="$(
  cat <<JSON
{"Entrypoint":["/usr/local/bin/node","/app/bin/podscope.js"],"User":"$NONROOT:$NONROOT","WorkingDir":"/app",
 "Env":["PATH=/usr/local/bin:/usr/bin:/bin","NODE_ENV=production","XDG_DATA_HOME=/data"],
 "ExposedPorts":{"7420/tcp":{}}}
JSON
)"
rm -rf "$CACHE_ROOT/podscope-image" # one cached image is enough; each is ~200 MB
mkdir -p "$cached"
make_image "podscope.local/podscope:$VERSION-@CONTENT@" "$root" "$config" "$cached/podscope.tar"
ln -sf "$cached/podscope.tar" "$OUT_DIR/podscope.tar"
name="$(image_name "$cached/podscope.tar")"
log "podscope image: $name ($(du -m "$cached/podscope.tar" | cut -f1) MiB uncompressed)"
echo "$name"
