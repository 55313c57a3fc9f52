#!/usr/bin/env bash
# Builds Kubernetes, etcd, containerd, CoreDNS and Helm from the Go module proxy into a cache outside
# the work tree.
# A second run with the same versions finds the binaries and does nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

K8S_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

# Prints a heartbeat while a long build runs, so a cold build is visibly alive.
with_progress() {
  local what="$1" logfile="$2"; shift 2
  local start=$SECONDS
  "$@" >"$logfile" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null || break
    log "$what: $((SECONDS - start))s, $(grep -c . "$logfile" || true) packages compiled so far"
  done
  if ! wait "$pid"; then
    tail -n 40 "$logfile" >&2
    die "$what failed (full log: $logfile)"
  fi
  log "$what: done in $((SECONDS - start))s"
}

ldflags_for() {
  local version="$1" major minor pkg flags="-s -w"
  major="$(echo "${version#v}" | cut -d. -f1)"
  minor="$(echo "${version#v}" | cut -d. -f2)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

build_kubernetes() {
  local have=1 c
  for c in "${K8S_COMMANDS[@]}"; do [[ -x "$K8S_BIN_DIR/$c" ]] || have=0; done
  if [[ $have -eq 1 ]]; then log "kubernetes $K8S_VERSION: cached in $K8S_BIN_DIR"; return; fi

  local src="$CACHE_ROOT/src/kubernetes-$K8S_VERSION"
  mkdir -p "$src" "$K8S_BIN_DIR"
  log "kubernetes $K8S_VERSION: resolving modules (cold build takes 20-40 min on 2 cores)"
  local upstream_gomod
  upstream_gomod="$(cd "$src" && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [[ -f "$upstream_gomod" ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
  local staging_version="v0.${K8S_VERSION#v1.}"
  {
    echo "module podscope.local/kubebuild"
    echo
    grep -E '^go [0-9]' "$upstream_gomod"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    # Upstream points its staging modules at ./staging; outside its repo they come from the proxy.
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$upstream_gomod" \
      | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } >"$src/go.mod"
  log "kubernetes: $(grep -c '^replace' "$src/go.mod") staging modules pinned at $staging_version"
  local pkgs=()
  for c in "${K8S_COMMANDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  (cd "$src" && GOFLAGS=-mod=mod go mod download) >/dev/null 2>&1 || true
  with_progress "kubernetes build" "$src/build.log" \
    env -C "$src" CGO_ENABLED=0 GOFLAGS=-mod=mod go build -v -trimpath \
      -ldflags "$(ldflags_for "$K8S_VERSION")" -o "$K8S_BIN_DIR/" "${pkgs[@]}"
  "$K8S_BIN_DIR/kubectl" version --client | sed -n 1p >&2
}

build_etcd() {
  if [[ -x "$ETCD_BIN_DIR/etcd" ]]; then log "etcd $ETCD_VERSION: cached in $ETCD_BIN_DIR"; return; fi
  local src="$CACHE_ROOT/src/etcd-$ETCD_VERSION"
  mkdir -p "$src" "$ETCD_BIN_DIR"
  printf 'module podscope.local/etcdbuild\n\ngo 1.23\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$src/go.mod"
  log "etcd $ETCD_VERSION: building"
  with_progress "etcd build" "$src/build.log" \
    env -C "$src" CGO_ENABLED=0 GOFLAGS=-mod=mod go build -v -trimpath -ldflags "-s -w" \
      -o "$ETCD_BIN_DIR/etcd" go.etcd.io/etcd/server/v3
  "$ETCD_BIN_DIR/etcd" --version | sed -n 1p >&2
}

build_containerd() {
  local have=1 c cmds=(containerd containerd-shim-runc-v2 ctr)
  for c in "${cmds[@]}"; do [[ -x "$CONTAINERD_BIN_DIR/$c" ]] || have=0; done
  if [[ $have -eq 1 ]]; then log "containerd $CONTAINERD_VERSION: cached in $CONTAINERD_BIN_DIR"; return; fi
  local src="$CACHE_ROOT/src/containerd-$CONTAINERD_VERSION" mod=github.com/containerd/containerd/v2
  mkdir -p "$src" "$CONTAINERD_BIN_DIR"
  printf 'module podscope.local/containerdbuild\n\ngo 1.24\n\nrequire %s %s\n' "$mod" "$CONTAINERD_VERSION" >"$src/go.mod"
  log "containerd $CONTAINERD_VERSION: building"
  local pkgs=()
  for c in "${cmds[@]}"; do pkgs+=("$mod/cmd/$c"); done
  # Static and without the btrfs/devmapper/zfs snapshotters (overlayfs is the one used here).
  with_progress "containerd build" "$src/build.log" \
    env -C "$src" CGO_ENABLED=0 GOFLAGS=-mod=mod go build -v -trimpath -tags "no_btrfs no_devmapper no_zfs" \
      -ldflags "-s -w -X $mod/version.Version=$CONTAINERD_VERSION -X $mod/version.Package=github.com/containerd/containerd/v2" \
      -o "$CONTAINERD_BIN_DIR/" "${pkgs[@]}"
  "$CONTAINERD_BIN_DIR/containerd" --version >&2
}

build_coredns() {
  if [[ -x "$COREDNS_BIN_DIR/coredns" ]]; then log "coredns $COREDNS_VERSION: cached in $COREDNS_BIN_DIR"; return; fi
  local src="$CACHE_ROOT/src/coredns-$COREDNS_VERSION" mod=github.com/coredns/coredns
  mkdir -p "$src" "$COREDNS_BIN_DIR"
  # The module's root package is the coredns command, with the standard plugin set compiled in.
  printf 'module podscope.local/corednsbuild\n\ngo 1.26\n\nrequire %s %s\n' "$mod" "$COREDNS_VERSION" >"$src/go.mod"
  log "coredns $COREDNS_VERSION: building"
  with_progress "coredns build" "$src/build.log" \
    env -C "$src" CGO_ENABLED=0 GOFLAGS=-mod=mod go build -v -trimpath \
      -ldflags "-s -w -X $mod/coremain.GitCommit=$COREDNS_VERSION" -o "$COREDNS_BIN_DIR/coredns" "$mod"
  "$COREDNS_BIN_DIR/coredns" -version | sed -n 1p >&2
}

build_helm() {
  if [[ -x "$HELM_BIN_DIR/helm" ]]; then log "helm $HELM_VERSION: cached in $HELM_BIN_DIR"; return; fi
  local src="$CACHE_ROOT/src/helm-$HELM_VERSION" mod="helm.sh/helm/v${HELM_VERSION:1:1}"
  mkdir -p "$src" "$HELM_BIN_DIR"
  printf 'module podscope.local/helmbuild\n\ngo 1.26\n\nrequire %s %s\n' "$mod" "$HELM_VERSION" >"$src/go.mod"
  (cd "$src" && GOFLAGS=-mod=mod go mod download "$mod") >/dev/null 2>&1 || true
  # As Helm's Makefile: its version, and the Kubernetes version `helm template`/`helm lint` assume
  # (client-go v0.N → 1.N) when no cluster is asked.
  local client_go minor flags
  client_go="$(cd "$src" && GOFLAGS=-mod=mod go list -m -f '{{.Version}}' k8s.io/client-go)"
  minor="$(echo "${client_go#v}" | cut -d. -f2)"
  flags="-s -w -X $mod/internal/version.version=$HELM_VERSION -X $mod/internal/version.gitTreeState=clean"
  flags+=" -X $mod/pkg/lint/rules.k8sVersionMajor=1 -X $mod/pkg/lint/rules.k8sVersionMinor=$minor"
  flags+=" -X $mod/pkg/chartutil.k8sVersionMajor=1 -X $mod/pkg/chartutil.k8sVersionMinor=$minor"
  log "helm $HELM_VERSION: building"
  with_progress "helm build" "$src/build.log" \
    env -C "$src" CGO_ENABLED=0 GOFLAGS=-mod=mod go build -v -trimpath -ldflags "$flags" \
      -o "$HELM_BIN_DIR/helm" "$mod/cmd/helm"
  "$HELM_BIN_DIR/helm" version --short >&2
}

command -v go >/dev/null || die "Go is needed to build the cluster binaries (go not found on PATH)"
build_etcd
build_containerd
build_kubernetes
build_coredns
build_helm
