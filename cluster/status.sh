#!/usr/bin/env bash
# Prints each component's state and the node/pods when the API server answers.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"

code=0
for c in "${COMPONENTS[@]}"; do
  if component_alive "$c"; then
    printf '%-24s running (pid %s)\n' "$c" "$(component_pid "$c")"
  else
    printf '%-24s stopped\n' "$c"
    code=1
  fi
done
if [[ -x "$KUBECTL" ]] && kc get --raw /readyz >/dev/null 2>&1; then
  echo
  kc get nodes -o wide
  echo
  kc get pods -n demo -o wide 2>/dev/null || true
  echo
  echo "kubeconfig: $STATE_DIR/kubeconfig"
else
  echo "API server: not answering"
  code=1
fi
exit $code
