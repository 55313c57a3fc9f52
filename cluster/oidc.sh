#!/usr/bin/env bash
# The test environment's OpenID provider (panva's oidc-provider, cluster/oidc/): HTTPS on the node IP,
# issuer https://10.213.0.1:5556, the four test people with a real sign-in form, client `podscope`.
# The API server trusts it (write-authn-config, used by components.sh), so a person's ID token is a
# Kubernetes credential: username = claim `email`, groups = claim `groups`, audience `podscope`.
#
#   cluster/oidc.sh start                     # idempotent: CA, certificate, secrets on first use; start
#   cluster/oidc.sh stop
#   cluster/oidc.sh status                    # exit 0 when discovery answers, 1 otherwise
#   cluster/oidc.sh env                       # PODSCOPE_OIDC_* shell assignments for clients and tests
#   cluster/oidc.sh write-authn-config FILE   # the API server's AuthenticationConfiguration
#
# State in $STATE_DIR/oidc (removed by `cluster:down` with the rest): ca.crt/ca.key (a CA of its own,
# not the cluster's), tls.crt/tls.key, client-secret, cookie-keys, signing-keys.json (the JWKS with
# private keys, made by the provider on first start and kept), provider.pid. Log: $STATE_DIR/logs/oidc-provider.log.
# Env: PODSCOPE_OIDC_ID_TOKEN_TTL, PODSCOPE_OIDC_ACCESS_TOKEN_TTL, PODSCOPE_OIDC_REFRESH_TOKEN_TTL
# (seconds; defaults 600, 600, 86400) are passed to the provider at start.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"

OIDC_DIR="$STATE_DIR/oidc"
# The issuer everyone names is on 5556; another port only to try the script beside a running provider.
OIDC_PORT="${PODSCOPE_OIDC_PORT:-5556}"
[[ "$OIDC_PORT" =~ ^[0-9]{1,5}$ ]] && ((OIDC_PORT > 0 && OIDC_PORT < 65536)) ||
  die "PODSCOPE_OIDC_PORT must be a TCP port (got \"$OIDC_PORT\")"
OIDC_ISSUER="https://$NODE_IP:$OIDC_PORT"
OIDC_CLIENT_ID=podscope
OIDC_PID_FILE="$OIDC_DIR/provider.pid"
OIDC_LOG="$LOGS/oidc-provider.log"

oidc_pid() { cat "$OIDC_PID_FILE" 2>/dev/null || true; }
oidc_alive() {
  local pid
  pid="$(oidc_pid)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}
oidc_answers() {
  curl -fsS --max-time 3 --cacert "$OIDC_DIR/ca.crt" "$OIDC_ISSUER/.well-known/openid-configuration" >/dev/null 2>&1
}

# One start or stop at a time.
lock_oidc() {
  install -d -m 0755 "$OIDC_DIR"
  exec 9<"$OIDC_DIR"
  flock -w 60 9 || die "oidc: another start or stop of $OIDC_DIR did not finish within 60s"
}

# CA, serving certificate, client secret and cookie keys: made once, kept while the state dir lives.
ensure_files() {
  (
    cd "$OIDC_DIR"
    umask 077
    [[ -f ca.crt && -f ca.key ]] ||
      quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
        -subj "/CN=podscope-local-oidc-ca" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
    if [[ ! -f tls.crt || ! -f tls.key ]]; then
      {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=serverAuth"
        echo "subjectAltName=IP:$NODE_IP,IP:127.0.0.1,DNS:localhost"
      } >tls.ext
      quiet openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj "/CN=podscope-local-oidc"
      quiet openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out tls.crt -days 3650 \
        -extfile tls.ext
      rm -f tls.csr tls.ext
    fi
    [[ -s client-secret ]] || openssl rand -hex 32 >client-secret
    [[ -s cookie-keys ]] || { openssl rand -hex 32 && openssl rand -hex 32; } >cookie-keys
    chmod 0644 ca.crt tls.crt
    chmod 0600 ca.key tls.key client-secret cookie-keys
  )
}

cmd_start() {
  require_root_linux
  lock_oidc
  ensure_files
  if oidc_alive && oidc_answers; then
    log "oidc: provider already running ($OIDC_ISSUER, pid $(oidc_pid))"
    return 0
  fi
  if oidc_alive; then
    log "oidc: provider (pid $(oidc_pid)) does not answer: restarting it"
    stop_provider
  fi
  ip -4 -o addr show 2>/dev/null | awk '{ print $4 }' | grep -qx "$NODE_IP/32" ||
    die "oidc: the node IP $NODE_IP is not up (the provider listens there; cluster/up.sh makes it)"
  local holder
  holder="$(ss -Hltnp "sport = :$OIDC_PORT" 2>/dev/null | sed -n 1p)"
  [[ -z "$holder" ]] || die "oidc: port $OIDC_PORT is taken ($holder)"
  command -v node >/dev/null || die "oidc: node is not installed"
  [[ -d "$REPO_ROOT/node_modules/oidc-provider" ]] || die "oidc: $REPO_ROOT/node_modules lacks oidc-provider (run npm ci)"
  mkdir -p "$LOGS"
  log "oidc: starting the OpenID provider on $OIDC_ISSUER"
  # Its own session (setsid), so it outlives this script; without fd 9, the lock. setsid and env exec,
  # so $! is the provider's own pid. tsx (for `--import tsx`) resolves from the repository root.
  setsid env -C "$REPO_ROOT" node --import tsx cluster/oidc/main.ts "$OIDC_DIR" "$NODE_IP" "$OIDC_PORT" \
    >>"$OIDC_LOG" 2>&1 </dev/null 9<&- &
  echo $! >"$OIDC_PID_FILE"
  local deadline=$((SECONDS + 30))
  until oidc_answers; do
    if ! oidc_alive || ((SECONDS >= deadline)); then
      printf '\n===== last 40 lines of %s =====\n' "$OIDC_LOG" >&2
      tail -n 40 "$OIDC_LOG" >&2 || true
      die "oidc: the provider did not answer on $OIDC_ISSUER"
    fi
    sleep 0.2
  done
  log "oidc: ready — $OIDC_ISSUER (CA $OIDC_DIR/ca.crt)"
}

stop_provider() {
  local pid i
  pid="$(oidc_pid)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$OIDC_PID_FILE"
}

cmd_stop() {
  require_root_linux
  [[ -d "$OIDC_DIR" ]] || return 0
  lock_oidc
  if oidc_alive; then log "oidc: stopping the provider"; fi
  stop_provider
}

cmd_status() {
  local pid rss
  if oidc_alive && oidc_answers; then
    pid="$(oidc_pid)"
    rss="$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo 0)"
    printf '%-24s running (pid %s, %s MiB, %s)\n' oidc-provider "$pid" "$rss" "$OIDC_ISSUER"
  else
    printf '%-24s stopped\n' oidc-provider
    return 1
  fi
}

cmd_env() {
  printf 'PODSCOPE_OIDC_ISSUER=%q\n' "$OIDC_ISSUER"
  printf 'PODSCOPE_OIDC_CA_FILE=%q\n' "$OIDC_DIR/ca.crt"
  printf 'PODSCOPE_OIDC_CLIENT_ID=%q\n' "$OIDC_CLIENT_ID"
  printf 'PODSCOPE_OIDC_CLIENT_SECRET_FILE=%q\n' "$OIDC_DIR/client-secret"
}

# The API server's --authentication-config: the provider's tokens for audience `podscope`, the person's
# email as username and their groups, both unprefixed (the RBAC bindings name them as they are).
# Client certificates, ServiceAccount tokens and anonymous requests are configured by flags and stay.
cmd_write_authn_config() {
  local file="${1:?usage: oidc.sh write-authn-config FILE}"
  [[ -s "$OIDC_DIR/ca.crt" ]] || die "oidc: no CA yet in $OIDC_DIR (run: cluster/oidc.sh start)"
  {
    cat <<YAML
# Written by cluster/oidc.sh; edits are lost.
apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: $OIDC_ISSUER
      audiences: [$OIDC_CLIENT_ID]
      audienceMatchPolicy: MatchAny
      certificateAuthority: |
YAML
    sed 's/^/        /' "$OIDC_DIR/ca.crt"
    cat <<YAML
    claimMappings:
      username:
        claim: email
        prefix: ""
      groups:
        claim: groups
        prefix: ""
YAML
  } >"$file.tmp"
  chmod 0644 "$file.tmp"
  mv "$file.tmp" "$file"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  write-authn-config) shift; cmd_write_authn_config "$@" ;;
  *)
    echo "usage: $0 start|stop|status|env|write-authn-config FILE" >&2
    exit 2
    ;;
esac
