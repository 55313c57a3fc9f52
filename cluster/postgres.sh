#!/usr/bin/env bash
# The local cluster's PostgreSQL: Debian's server run as its own instance (not Debian's `main` cluster),
# standing for the managed PostgreSQL a platform team points Podscope at.
#
#   cluster/postgres.sh start          # idempotent: initdb on first use, start, database + user
#   cluster/postgres.sh stop           # fast shutdown (open connections are closed)
#   cluster/postgres.sh status         # exit 0 when it answers, 1 otherwise
#   cluster/postgres.sh url [--node]   # postgresql://podscope:…@127.0.0.1:PORT/podscope (--node: the
#                                      # node IP, the address pods use)
#
# State (data, socket, log, the generated password) lives in PODSCOPE_PG_DIR, by default
# $STATE_DIR/postgres, so `cluster:down` removes it with the rest. It listens on 127.0.0.1 and on the
# node IP (when that link exists) on PODSCOPE_PG_PORT (default 5432); only the `podscope` user may connect
# over TCP, to the `podscope` database, with a password (scram-sha-256), from this host and from pods.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$CLUSTER_DIR/components.sh"

PG_DIR="${PODSCOPE_PG_DIR:-$STATE_DIR/postgres}"
PG_PORT="${PODSCOPE_PG_PORT:-5432}"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
PG_PASSWORD_FILE="$PG_DIR/password"
PG_DB=podscope
PG_USER=podscope
PG_OS_USER=postgres

[[ "$PG_PORT" =~ ^[0-9]{1,5}$ ]] && ((PG_PORT > 0 && PG_PORT < 65536)) ||
  die "PODSCOPE_PG_PORT must be a TCP port (got \"$PG_PORT\")"

# The newest server Debian installed: /usr/lib/postgresql/<version>/bin.
pg_bin_dir() {
  local v
  v="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -1)"
  [[ -n "$v" && -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]] && echo "/usr/lib/postgresql/$v/bin"
}

# From / so the server tools never start in a directory postgres may not read (e.g. /root); without fd
# 9, the instance lock, which the server would otherwise inherit and hold for as long as it runs.
as_postgres() { (cd / && runuser -u "$PG_OS_USER" -- "$@" 9<&-); }

pg_running() {
  local bin
  bin="$(pg_bin_dir)" || return 1
  [[ -f "$PG_DATA/PG_VERSION" ]] || return 1
  as_postgres "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_answers() {
  local bin
  bin="$(pg_bin_dir)" || return 1
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$PG_DB" -U "$PG_USER" -t 2
}

# Addresses to listen on: loopback always, the node IP once its link is up (pods reach it there).
listen_addresses() {
  if ip -4 -o addr show 2>/dev/null | awk '{ print $4 }' | grep -qx "$NODE_IP/32"; then
    echo "127.0.0.1,$NODE_IP"
  else
    echo "127.0.0.1"
  fi
}

# Who else holds the port (a Debian cluster, another instance): a sentence, or nothing.
port_holder() {
  ss -Hltnp "sport = :$PG_PORT" 2>/dev/null | sed -n 1p
}

psql_admin() {
  local bin
  bin="$(pg_bin_dir)"
  as_postgres "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -d postgres "$@"
}

write_config() {
  local listen="$1"
  # Overrides on top of initdb's postgresql.conf, rewritten at every start (the node IP may have appeared).
  cat >"$PG_DATA/podscope.conf" <<CONF
# Written by cluster/postgres.sh at every start; edits are lost.
listen_addresses = '$listen'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
password_encryption = 'scram-sha-256'
max_connections = 200
shared_buffers = 64MB
log_destination = 'stderr'
log_min_messages = warning
log_connections = off
CONF
  chown "$PG_OS_USER:" "$PG_DATA/podscope.conf"
  chmod 0600 "$PG_DATA/podscope.conf"
  grep -qx "include 'podscope.conf'" "$PG_DATA/postgresql.conf" ||
    echo "include 'podscope.conf'" >>"$PG_DATA/postgresql.conf"
  cat >"$PG_DATA/pg_hba.conf" <<HBA
# Written by cluster/postgres.sh. The superuser only over the socket, as the postgres OS user;
# Podscope's user only to its database, with a password: from this host and from pods.
# TYPE  DATABASE  USER       ADDRESS          METHOD
local   all       $PG_OS_USER                  peer
host    $PG_DB  $PG_USER   127.0.0.1/32     scram-sha-256
host    $PG_DB  $PG_USER   $NODE_IP/32    scram-sha-256
host    $PG_DB  $PG_USER   $POD_CIDR    scram-sha-256
HBA
  chown "$PG_OS_USER:" "$PG_DATA/pg_hba.conf"
  chmod 0600 "$PG_DATA/pg_hba.conf"
}

init_instance() {
  local bin="$1"
  log "postgres: initialising $PG_DATA ($("$bin/postgres" --version))"
  install -d -m 0700 -o "$PG_OS_USER" -g "$PG_OS_USER" "$PG_DATA"
  quiet as_postgres "$bin/initdb" -D "$PG_DATA" -U "$PG_OS_USER" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256
}

ensure_password() {
  if [[ ! -s "$PG_PASSWORD_FILE" ]]; then
    (umask 077 && openssl rand -hex 24 >"$PG_PASSWORD_FILE.tmp")
    mv "$PG_PASSWORD_FILE.tmp" "$PG_PASSWORD_FILE"
  fi
  chmod 0600 "$PG_PASSWORD_FILE"
}

# The role and database, and the password from the state dir (stdin, so it is never on a command line).
ensure_database() {
  local password
  password="$(cat "$PG_PASSWORD_FILE")"
  [[ "$password" =~ ^[0-9a-f]{48}$ ]] || die "postgres: $PG_PASSWORD_FILE does not hold a generated password"
  psql_admin <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$PG_USER')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') \gexec
ALTER ROLE $PG_USER WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$password';
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', '$PG_DB', '$PG_USER')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \gexec
REVOKE ALL ON DATABASE $PG_DB FROM PUBLIC;
GRANT ALL ON DATABASE $PG_DB TO $PG_USER;
SQL
}

# One start or stop at a time per instance (tests running in parallel may both ask for it).
lock_instance() {
  install -d -m 0755 "$PG_DIR"
  exec 9<"$PG_DIR"
  flock -w 120 9 || die "postgres: another start or stop of $PG_DIR did not finish within 120s"
}

cmd_start() {
  require_root_linux
  lock_instance
  local bin listen current
  bin="$(pg_bin_dir)" || {
    bash "$CLUSTER_DIR/install-deps.sh" 9<&-
    bin="$(pg_bin_dir)" || die "postgres: no server in /usr/lib/postgresql/*/bin after installing postgresql"
  }
  [[ -f "$PG_DATA/PG_VERSION" ]] || init_instance "$bin"
  local have want
  have="$(cat "$PG_DATA/PG_VERSION")"
  want="$(basename "$(dirname "$bin")")"
  [[ "$have" == "$want" ]] ||
    die "postgres: $PG_DATA was made by PostgreSQL $have, the installed server is $want (remove $PG_DIR to start afresh)"
  install -d -m 0755 -o "$PG_OS_USER" -g "$PG_OS_USER" "$PG_SOCKET_DIR"
  touch "$PG_LOG" && chown "$PG_OS_USER:" "$PG_LOG" && chmod 0600 "$PG_LOG"
  ensure_password
  listen="$(listen_addresses)"
  current="$(sed -n "s/^listen_addresses = '\(.*\)'$/\1/p" "$PG_DATA/podscope.conf" 2>/dev/null || true)"
  write_config "$listen"
  if pg_running; then
    if [[ "$current" != "$listen" ]]; then
      log "postgres: listening on $listen now (was ${current:-unset}): restarting"
      quiet as_postgres "$bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 restart -l "$PG_LOG"
    else
      as_postgres "$bin/pg_ctl" -D "$PG_DATA" reload >/dev/null
    fi
  else
    local holder
    holder="$(port_holder)"
    [[ -z "$holder" ]] || die "postgres: port $PG_PORT is taken ($holder); set PODSCOPE_PG_PORT to another port"
    log "postgres: starting on $listen:$PG_PORT"
    # pg_ctl puts the server in its own session (setsid), so it outlives this script.
    if ! as_postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 2>&1; then
      printf '\n===== last 40 lines of %s =====\n' "$PG_LOG" >&2
      tail -n 40 "$PG_LOG" >&2 || true
      die "postgres: did not start"
    fi
  fi
  local deadline=$((SECONDS + 30))
  until pg_answers; do
    ((SECONDS < deadline)) || die "postgres: not accepting connections on 127.0.0.1:$PG_PORT after 30s"
    sleep 0.2
  done
  ensure_database
  [[ "$listen" == *"$NODE_IP"* ]] ||
    log "postgres: warning: $NODE_IP is not up yet, so pods cannot reach PostgreSQL; run start again after it is"
  log "postgres: ready — $(cmd_url | sed 's/:[0-9a-f]\{48\}@/:…@/')"
}

cmd_stop() {
  require_root_linux
  [[ -d "$PG_DIR" ]] || return 0
  lock_instance
  local bin
  bin="$(pg_bin_dir)" || return 0
  if pg_running; then
    log "postgres: stopping"
    quiet as_postgres "$bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop
  fi
}

cmd_status() {
  local pid rss
  if pg_running && pg_answers; then
    pid="$(head -1 "$PG_DATA/postmaster.pid")"
    rss="$(awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo 0)"
    printf '%-24s running (pid %s, %s MiB, %s:%s, data %s)\n' postgres "$pid" "$rss" \
      "$(sed -n "s/^listen_addresses = '\(.*\)'$/\1/p" "$PG_DATA/podscope.conf")" "$PG_PORT" "$PG_DATA"
  else
    printf '%-24s stopped\n' postgres
    return 1
  fi
}

cmd_url() {
  local host=127.0.0.1
  [[ "${1:-}" == --node ]] && host="$NODE_IP"
  [[ -s "$PG_PASSWORD_FILE" ]] || die "postgres: no password yet in $PG_PASSWORD_FILE (run: cluster/postgres.sh start)"
  printf 'postgresql://%s:%s@%s:%s/%s\n' "$PG_USER" "$(cat "$PG_PASSWORD_FILE")" "$host" "$PG_PORT" "$PG_DB"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) shift; cmd_url "$@" ;;
  *)
    echo "usage: $0 start|stop|status|url [--node]" >&2
    exit 2
    ;;
esac
