#!/usr/bin/env bash
# Prints each component's state and the node/pods when the API server answers.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"

code=0
rss_mib() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
total=0
for c in "${COMPONENTS[@]}"; do
  if component_alive "$c"; then
    pid="$(component_pid "$c")"
    mib="$(rss_mib "$pid")"
    total=$((total + mib))
    printf '%-24s running (pid %s, %s MiB)\n' "$c" "$pid" "$mib"
  else
    printf '%-24s stopped\n' "$c"
    code=1
  fi
done
shims=0
for pid in $(pgrep -f "containerd-shim.*-address $CONTAINERD_SOCK" || true); do shims=$((shims + $(rss_mib "$pid"))); done
printf '%-24s %s MiB (components %s MiB + containerd shims %s MiB; container processes not counted)\n' \
  "memory (RSS)" $((total + shims)) "$total" "$shims"
if [[ -x "$KUBECTL" ]] && kc get --raw /readyz >/dev/null 2>&1; then
  echo
  kc get nodes -o wide
  echo
  kc get pods -n kube-system -o wide 2>/dev/null || true
  echo
  kc get pods -n demo -o wide 2>/dev/null || true
  echo
  echo "kubeconfig: $STATE_DIR/kubeconfig"
else
  echo "API server: not answering"
  code=1
fi
bash "$CLUSTER_DIR/postgres.sh" status || code=1
bash "$CLUSTER_DIR/oidc.sh" status || code=1
exit $code
