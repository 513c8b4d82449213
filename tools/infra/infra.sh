#!/usr/bin/env bash
# Sigil native dev/CI infrastructure: PostgreSQL, Redis and Kafka (KRaft) without Docker.
#
#   tools/infra/infra.sh up|down|status|reset
#   tools/infra/infra.sh start|stop|restart [postgres|redis|kafka ...]
#
# Everything listens on 127.0.0.1 only; data + logs live under <repo>/.infra/.
# See tools/infra/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"
INFRA_DIR="${SIGIL_INFRA_DIR:-$REPO_ROOT/.infra}"

PG_PORT="${SIGIL_PG_PORT:-5432}"
REDIS_PORT="${SIGIL_REDIS_PORT:-6379}"
KAFKA_PORT="${SIGIL_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${SIGIL_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"

PG_USER=sigil
PG_PASSWORD=sigil
PG_DATABASES=(sigil_keys sigil_contacts sigil_segments sigil_webhooks)

# Kafka 4.4.x by default; SIGIL_KAFKA_VERSION=3.9.1 selects the older supported line.
KAFKA_VERSION="${SIGIL_KAFKA_VERSION:-4.4.0}"
# Of a cluster (3+ nodes): how long a follower may lag before its leader drops it from the
# in-sync replicas (see kafka_write_config); 30000 (Kafka's default) to compare.
KAFKA_REPLICA_LAG_MS="${SIGIL_KAFKA_REPLICA_LAG_TIME_MAX_MS:-2000}"

PG_TIMEOUT="${SIGIL_PG_TIMEOUT:-60}"
REDIS_TIMEOUT="${SIGIL_REDIS_TIMEOUT:-30}"
KAFKA_TIMEOUT="${SIGIL_KAFKA_TIMEOUT:-90}"
STOP_TIMEOUT="${SIGIL_STOP_TIMEOUT:-30}"

COMPONENTS=(postgres redis kafka)

# ----------------------------------------------------------------------------- helpers

log() { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Run a command as root (directly, or via non-interactive sudo when not root).
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run: $* (re-run as root or install the missing packages yourself)"
  fi
}

validate_port() {
  local name="$1" value="$2"
  [[ "$value" =~ ^[0-9]+$ ]] && ((value > 0 && value < 65536)) || die "$name must be a TCP port number, got '$value'"
}

# Is anything listening on 127.0.0.1:<port> (or a wildcard address covering it)?
port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    # Local address column ends in :<port>; covers 0.0.0.0, *, [::], 127.0.0.1 ...
    ss -ltnH 2>/dev/null | awk -v p=":$port" '{ if (substr($4, length($4) - length(p) + 1) == p) { found = 1 } } END { exit found ? 0 : 1 }'
  else
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
  fi
}

# Does a TCP connect to 127.0.0.1:<port> succeed?
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

describe_listener() {
  local port="$1" line=""
  if command -v ss >/dev/null 2>&1; then
    line="$(ss -ltnpH 2>/dev/null | awk -v p=":$port" '{ if (substr($4, length($4) - length(p) + 1) == p) print }' | head -n1 || true)"
  fi
  local who
  who="$(grep -o '"[^"]*",pid=[0-9]*' <<<"$line" | head -n1 | sed -E 's/^"(.*)",pid=([0-9]+)$/\1, pid \2/' || true)"
  if [[ -n "$who" ]]; then
    printf 'listener: %s' "$who"
  else
    printf 'listener: unknown process'
  fi
}

# Fail fast if <port> is taken by something that is not ours.
require_free_port() {
  local component="$1" port="$2" envvar="$3"
  if port_in_use "$port"; then
    die "$component: port $port on 127.0.0.1 is already in use by something that is not ours ($(describe_listener "$port")). Stop it or pick another port, e.g. $envvar=<port> $0 up"
  fi
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

pid_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

read_pidfile() {
  local f="$1"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(head -n1 "$f" 2>/dev/null | tr -dc '0-9')"
  [[ -n "$pid" ]] || return 1
  printf '%s' "$pid"
}

tail_log() {
  local f="$1" n="${2:-40}"
  if [[ -f "$f" ]]; then
    printf '[infra] ---- last %s lines of %s ----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf '[infra] ----\n' >&2
  else
    printf '[infra] (no log file at %s)\n' "$f" >&2
  fi
}

service_manager_is_systemd() { [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; }

# Stop and disable a distro service (systemd or sysvinit), if it exists.
stop_disable_service() {
  local svc="$1"
  if service_manager_is_systemd; then
    as_root systemctl stop "$svc" >/dev/null 2>&1 || true
    as_root systemctl disable "$svc" >/dev/null 2>&1 || true
  else
    if [[ -x "/etc/init.d/$svc" ]]; then
      as_root service "$svc" stop >/dev/null 2>&1 || true
      as_root update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  fi
}

# ----------------------------------------------------------------------------- packages

APT_UPDATED=0
apt_install() {
  local pkgs=("$@")
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${pkgs[*]}) and apt-get is not available; install them manually"
  log "installing ${pkgs[*]} via apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  local need_update=0 p apt_log="$INFRA_DIR/apt.log"
  mkdir -p "$INFRA_DIR"
  for p in "${pkgs[@]}"; do
    # No candidate in the local package lists -> lists are missing/stale.
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then need_update=1; fi
  done
  if ((need_update)) && ((APT_UPDATED == 0)); then
    as_root apt-get update -qq >>"$apt_log" 2>&1 || {
      tail -n 20 "$apt_log" >&2
      die "apt-get update failed (log: $apt_log)"
    }
    APT_UPDATED=1
  fi

  # Keep package maintainer scripts from auto-starting the distro services (they would take
  # our ports). Only if no policy-rc.d exists already; removed again right after.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if is_root && [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, created by sigil tools/infra/infra.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  local rc=0
  as_root apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "${pkgs[@]}" >>"$apt_log" 2>&1 9>&- || rc=$?
  if ((rc != 0)) && ((APT_UPDATED == 0)); then
    warn "apt-get install failed; retrying after apt-get update"
    as_root apt-get update -qq >>"$apt_log" 2>&1 || true
    APT_UPDATED=1
    rc=0
    as_root apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "${pkgs[@]}" >>"$apt_log" 2>&1 9>&- || rc=$?
  fi
  if ((created_policy)); then rm -f "$policy"; fi
  if ((rc != 0)); then
    tail -n 30 "$apt_log" >&2
    die "apt-get install ${pkgs[*]} failed (exit $rc, log: $apt_log)"
  fi
}

pg_bin_dir() {
  local d best="" bestv=-1 v
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || continue
    v="$(basename "$(dirname "$d")")"
    v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if ((v > bestv)); then
      bestv=$v
      best=$d
    fi
  done
  [[ -n "$best" ]] || return 1
  printf '%s' "$best"
}

ensure_packages() {
  local want=("$@") missing=() c
  for c in "${want[@]}"; do
    case "$c" in
      postgres)
        if ! pg_bin_dir >/dev/null; then missing+=(postgresql); fi
        ;;
      redis)
        if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then missing+=(redis-server); fi
        ;;
      kafka)
        if ! command -v java >/dev/null 2>&1; then missing+=(openjdk-17-jre-headless); fi
        if ! command -v mvn >/dev/null 2>&1 && ! kafka_libs_ok; then missing+=(maven); fi
        ;;
    esac
  done
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
    # Whatever we just installed must not auto-start on boot and steal our ports.
    local m
    for m in "${missing[@]}"; do
      case "$m" in
        redis-server) stop_disable_service redis-server ;;
      esac
    done
  fi
}

# ----------------------------------------------------------------------------- postgres

PG_BIN=""
PG_BASE=""  # where data/, log/ live (normally $INFRA_DIR/postgres)
PG_DATA=""
PG_LOG=""
PG_SOCK=""
PG_RUN_AS=() # prefix to run a command as the postgres OS user

pg_hash() { printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-12; }

# Decide where the cluster lives. Postgres refuses to run as root, so as root we run it as the
# `postgres` OS user, which must be able to traverse every directory up to the data dir. If the
# repo lives somewhere it cannot reach (e.g. under /root with mode 700) we keep the cluster in
# /var/lib/sigil-infra/<hash of repo path>/ instead (recorded in .infra/postgres/LOCATION).
pg_setup_paths() {
  PG_BIN="$(pg_bin_dir)" || die "postgres: no PostgreSQL server binaries found under /usr/lib/postgresql/*/bin"
  local local_base="$INFRA_DIR/postgres"
  local fallback_base="/var/lib/sigil-infra/$(pg_hash)/postgres"
  mkdir -p "$local_base"
  chmod 755 "$INFRA_DIR" "$local_base" 2>/dev/null || true

  if is_root; then
    id postgres >/dev/null 2>&1 || die "postgres: OS user 'postgres' does not exist (is the postgresql package installed correctly?)"
    PG_RUN_AS=(runuser -u postgres --)
  else
    PG_RUN_AS=()
  fi

  if [[ -f "$local_base/data/PG_VERSION" ]]; then
    PG_BASE="$local_base"
  elif [[ -f "$fallback_base/data/PG_VERSION" ]]; then
    PG_BASE="$fallback_base"
  elif ((${#PG_RUN_AS[@]} == 0)) || (cd / && "${PG_RUN_AS[@]}" test -x "$local_base" -a -r "$local_base") 2>/dev/null; then
    PG_BASE="$local_base"
  else
    PG_BASE="$fallback_base"
  fi

  if [[ "$PG_BASE" == "$fallback_base" ]]; then
    mkdir -p "$PG_BASE"
    chmod 755 /var/lib/sigil-infra "/var/lib/sigil-infra/$(pg_hash)" "$PG_BASE" 2>/dev/null || true
    printf 'PostgreSQL cluster for %s lives in %s\n(the postgres OS user cannot traverse the repository path)\n' "$REPO_ROOT" "$PG_BASE" >"$local_base/LOCATION"
  else
    rm -f "$local_base/LOCATION"
  fi

  PG_DATA="$PG_BASE/data"
  PG_LOG="$PG_BASE/log/postgres.log"
  PG_SOCK="$PG_BASE/run"
  # unix socket paths are limited to ~107 bytes
  if ((${#PG_SOCK} + 20 > 100)); then
    PG_SOCK="/tmp/sigil-infra-$(pg_hash)-pg"
  fi
}

pg_chown() {
  if is_root; then chown -R postgres:postgres "$@"; fi
}

pg_as() { (cd / && "${PG_RUN_AS[@]}" "$@"); }

# Our postmaster: pid from postmaster.pid is alive and really is a postgres on our data dir
# (guards against pid reuse after a reboot/container restart).
pg_running() {
  local pid cmd
  pid="$(read_pidfile "$PG_DATA/postmaster.pid")" || return 1
  pid_alive "$pid" || return 1
  cmd="$(pid_cmdline "$pid")"
  [[ "$cmd" == *postgres* && "$cmd" == *"$PG_DATA"* ]]
}

pg_running_port() { sed -n '4p' "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9'; }

pg_psql() {
  # superuser over the unix socket (local auth = trust)
  PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"
}

# Debian's own cluster (e.g. 15/main) would take our port: stop it and set it to manual start.
pg_handle_distro_clusters() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  local ver name port status _rest conf
  while read -r ver name port status _rest; do
    [[ "$port" == "$PG_PORT" ]] || continue
    if [[ "$status" == online* ]]; then
      log "postgres: stopping distro cluster $ver/$name (it listens on our port $PG_PORT)"
      as_root pg_ctlcluster "$ver" "$name" stop -m fast >/dev/null 2>&1 || as_root pg_ctlcluster "$ver" "$name" stop -m immediate || true
    fi
    conf="/etc/postgresql/$ver/$name/start.conf"
    if [[ -f "$conf" ]] && grep -qE '^[[:space:]]*auto' "$conf"; then
      log "postgres: disabling autostart of distro cluster $ver/$name (start.conf -> manual)"
      as_root sed -i -E 's/^([[:space:]]*)auto/\1manual/' "$conf" || true
    fi
  done < <(pg_lsclusters -h 2>/dev/null || true)
}

# shared_buffers: an eighth of the machine's memory, between 128 MB (PostgreSQL's default) and 1 GB. At
# 128 MB a 1 M-contact database (its table, ten indexes, two million value rows) did not fit: every batch
# evicted pages and read them back from the OS cache, and the contacts database's CPU per imported row
# moved between runs by 2x (docs/contacts.md, "Session 21").
pg_shared_buffers_mb() {
  local mem_kb mb
  mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
  mb=$((mem_kb / 1024 / 8))
  [ "$mb" -gt 1024 ] && mb=1024
  [ "$mb" -lt 128 ] && mb=128
  echo "$mb"
}

pg_write_conf() {
  mkdir -p "$PG_SOCK"
  chmod 755 "$PG_SOCK"
  pg_chown "$PG_SOCK"
  cat >"$PG_DATA/sigil.conf" <<EOF
# Generated by tools/infra/infra.sh on every start - do not edit.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 300
shared_buffers = $(pg_shared_buffers_mb)MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  pg_chown "$PG_DATA/sigil.conf"
  if ! grep -q "^include_if_exists = 'sigil.conf'" "$PG_DATA/postgresql.conf"; then
    printf "\n# sigil dev settings\ninclude_if_exists = 'sigil.conf'\n" >>"$PG_DATA/postgresql.conf"
  fi
}

pg_init_cluster() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
  log "postgres: initdb $PG_DATA ($(basename "$(dirname "$PG_BIN")"))"
  rm -rf "$PG_DATA"
  mkdir -p "$PG_DATA" "$(dirname "$PG_LOG")"
  chmod 700 "$PG_DATA"
  pg_chown "$PG_DATA" "$(dirname "$PG_LOG")"
  local locale=C
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
  local out
  if ! out="$(pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale="$locale" \
    --auth-local=trust --auth-host=scram-sha-256 2>&1)"; then
    printf '%s\n' "$out" >&2
    rm -rf "$PG_DATA"
    die "postgres: initdb failed"
  fi
}

pg_provision() {
  pg_psql -d postgres >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
  -- The audit log's writer (docs/audit.md): may only INSERT and SELECT it. The services' user
  -- assumes it (SET ROLE) for every audit write; a role is cluster-wide, so it is made here.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sigil_audit_writer') THEN
    CREATE ROLE sigil_audit_writer NOLOGIN;
  END IF;
  -- Benchmarks settle the disk after seeding millions of rows (CHECKPOINT) before they measure.
  -- pg_checkpoint exists from PostgreSQL 15; on an older server the bench's CHECKPOINT is refused instead.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_checkpoint') THEN
    GRANT pg_checkpoint TO $PG_USER;
  END IF;
END
\$\$;
GRANT sigil_audit_writer TO $PG_USER;
SQL
  local db
  for db in "${PG_DATABASES[@]}"; do
    if [[ "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]]; then
      pg_psql -d postgres -c "CREATE DATABASE $db OWNER $PG_USER" >/dev/null
    fi
  done
}

pg_print_ready() {
  local port="${1:-$PG_PORT}" note="${2:-}"
  log "postgres  ready  127.0.0.1:$port  DSN postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/<db>  dbs: ${PG_DATABASES[*]}${note:+  $note}"
}

start_postgres() {
  validate_port SIGIL_PG_PORT "$PG_PORT"
  pg_setup_paths
  if pg_running; then
    local rp
    rp="$(pg_running_port)"
    if [[ -n "$rp" && "$rp" != "$PG_PORT" ]]; then
      die "postgres: already running (ours) on port $rp, but port $PG_PORT was requested; run '$0 restart postgres' to move it"
    fi
    pg_provision
    pg_print_ready "$PG_PORT" "(already running)"
    return 0
  fi
  pg_handle_distro_clusters
  require_free_port postgres "$PG_PORT" SIGIL_PG_PORT
  pg_init_cluster
  # a postmaster.pid left behind by a crash/reboot whose pid now belongs to someone else
  rm -f "$PG_DATA/postmaster.pid"
  pg_write_conf
  mkdir -p "$(dirname "$PG_LOG")"
  pg_chown "$(dirname "$PG_LOG")"
  local t0=$SECONDS
  # 9>&-: the daemon must not inherit our lock fd (it would hold the lock forever)
  if ! pg_as "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_TIMEOUT" -s >/dev/null 2>&1 9>&-; then
    tail_log "$PG_LOG"
    die "postgres: failed to start on 127.0.0.1:$PG_PORT within ${PG_TIMEOUT}s (log: $PG_LOG)"
  fi
  while ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; do
    if ((SECONDS - t0 > PG_TIMEOUT)); then
      tail_log "$PG_LOG"
      die "postgres: not accepting TCP connections on 127.0.0.1:$PG_PORT after ${PG_TIMEOUT}s"
    fi
    sleep 0.5
  done
  pg_provision
  pg_print_ready
}

stop_postgres() {
  pg_setup_paths
  if ! pg_running; then
    log "postgres  stopped (was not running)"
    return 0
  fi
  if ! pg_as "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" -s >/dev/null 2>&1; then
    warn "postgres: fast shutdown timed out, using immediate"
    pg_as "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t "$STOP_TIMEOUT" -s >/dev/null 2>&1 || die "postgres: could not stop"
  fi
  log "postgres  stopped"
}

status_postgres() {
  pg_setup_paths
  if pg_running; then
    printf '%-9s running  127.0.0.1:%s  (pid %s, data %s)\n' postgres "$(pg_running_port)" "$(head -n1 "$PG_DATA/postmaster.pid")" "$PG_DATA"
    return 0
  fi
  printf '%-9s stopped  (port %s)\n' postgres "$PG_PORT"
  return 1
}

wipe_postgres() {
  pg_setup_paths
  rm -rf "$INFRA_DIR/postgres" "/var/lib/sigil-infra/$(pg_hash)" "/tmp/sigil-infra-$(pg_hash)-pg"
}

# ----------------------------------------------------------------------------- redis

REDIS_DIR="$INFRA_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"
REDIS_PORTFILE="$REDIS_DIR/port"

redis_pid() {
  local pid
  pid="$(read_pidfile "$REDIS_PIDFILE")" || return 1
  pid_alive "$pid" || return 1
  [[ "$(pid_cmdline "$pid")" == *redis-server* ]] || return 1
  printf '%s' "$pid"
}

redis_running_port() { cat "$REDIS_PORTFILE" 2>/dev/null || printf '%s' "$REDIS_PORT"; }

# Debian's redis-server service (port 6379 from /etc/redis/redis.conf) would take our port.
redis_handle_distro_service() {
  local conf=/etc/redis/redis.conf distro_port=6379
  [[ -f "$conf" ]] || return 0
  distro_port="$(awk '$1 == "port" { print $2; exit }' "$conf" 2>/dev/null || true)"
  distro_port="${distro_port:-6379}"
  [[ "$distro_port" == "$REDIS_PORT" ]] || return 0
  local running=0
  if service_manager_is_systemd; then
    systemctl is-active --quiet redis-server 2>/dev/null && running=1
  elif [[ -x /etc/init.d/redis-server ]]; then
    local p
    p="$(read_pidfile /run/redis/redis-server.pid 2>/dev/null || true)"
    pid_alive "$p" && running=1
  fi
  if ((running)); then
    log "redis: stopping + disabling the distro redis-server service (it listens on our port $REDIS_PORT)"
    stop_disable_service redis-server
    local i
    for ((i = 0; i < 50; i++)); do port_in_use "$REDIS_PORT" || break; sleep 0.2; done
  fi
}

start_redis() {
  validate_port SIGIL_REDIS_PORT "$REDIS_PORT"
  mkdir -p "$REDIS_DIR"
  local pid
  if pid="$(redis_pid)"; then
    local rp
    rp="$(redis_running_port)"
    [[ "$rp" == "$REDIS_PORT" ]] || die "redis: already running (ours) on port $rp, but port $REDIS_PORT was requested; run '$0 restart redis' to move it"
    log "redis     ready  127.0.0.1:$rp  URL redis://127.0.0.1:$rp  (already running, pid $pid)"
    return 0
  fi
  rm -f "$REDIS_PIDFILE"
  redis_handle_distro_service
  require_free_port redis "$REDIS_PORT" SIGIL_REDIS_PORT
  printf '%s\n' "$REDIS_PORT" >"$REDIS_PORTFILE"
  local logstart=0
  [[ -f "$REDIS_LOG" ]] && logstart="$(wc -l <"$REDIS_LOG")"
  if ! redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" \
    --save "" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
    >/dev/null 2>&1 9>&-; then
    tail_log "$REDIS_LOG"
    die "redis: redis-server failed to launch"
  fi
  local t0=$SECONDS
  while [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" != "PONG" ]]; do
    if ((SECONDS - t0 > REDIS_TIMEOUT)); then
      tail -n +"$((logstart + 1))" "$REDIS_LOG" 2>/dev/null | tail -n 30 >&2 || true
      die "redis: not ready on 127.0.0.1:$REDIS_PORT after ${REDIS_TIMEOUT}s (log: $REDIS_LOG)"
    fi
    sleep 0.2
  done
  # the AOF may still be loading; PING answers during loading, so also wait for loading:0
  while redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info persistence 2>/dev/null | grep -q '^loading:1'; do
    ((SECONDS - t0 > REDIS_TIMEOUT)) && die "redis: still loading its AOF after ${REDIS_TIMEOUT}s"
    sleep 0.2
  done
  log "redis     ready  127.0.0.1:$REDIS_PORT  URL redis://127.0.0.1:$REDIS_PORT  (pid $(redis_pid || echo '?'))"
}

stop_redis() {
  local pid
  if ! pid="$(redis_pid)"; then
    rm -f "$REDIS_PIDFILE"
    log "redis     stopped (was not running)"
    return 0
  fi
  local rp
  rp="$(redis_running_port)"
  # SHUTDOWN (no SAVE: we use AOF only) lets redis fsync the AOF before exiting.
  redis-cli -h 127.0.0.1 -p "$rp" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local t0=$SECONDS
  while pid_alive "$pid"; do
    if ((SECONDS - t0 > STOP_TIMEOUT)); then
      warn "redis: did not exit within ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$REDIS_PIDFILE"
  log "redis     stopped"
}

status_redis() {
  local pid
  if pid="$(redis_pid)"; then
    printf '%-9s running  127.0.0.1:%s  (pid %s)\n' redis "$(redis_running_port)" "$pid"
    return 0
  fi
  printf '%-9s stopped  (port %s)\n' redis "$REDIS_PORT"
  return 1
}

wipe_redis() { rm -rf "$REDIS_DIR"; }

# ----------------------------------------------------------------------------- kafka
#
# One node (default) or a KRaft cluster of N nodes (`--kafka-brokers N`), every node both
# broker and controller ("combined" mode, see tools/infra/README.md for why). Node 1 lives in
# $KAFKA_DIR (the single-node layout), node i > 1 in $KAFKA_DIR/node-i; node i listens on
# KAFKA_PORT + 2(i-1) and its controller on KAFKA_CONTROLLER_PORT + 2(i-1).

KAFKA_DIR="$INFRA_DIR/kafka"
KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
# Jars per version, so switching SIGIL_KAFKA_VERSION back and forth downloads each line once.
KAFKA_LIBS="$KAFKA_DIR/libs-$KAFKA_VERSION"
KAFKA_MARKER="$KAFKA_LIBS/.sigil-kafka-libs"
KAFKA_CLUSTER_ID_FILE="$KAFKA_DIR/cluster.id"
KAFKA_PORTFILE="$KAFKA_DIR/port"
KAFKA_NODESFILE="$KAFKA_DIR/nodes"
KAFKA_FORMATTED_BY="$KAFKA_DIR/formatted-by"
KAFKA_POM="$SCRIPT_DIR/kafka/pom.xml"
# Node count: --kafka-brokers (parsed in main) > SIGIL_KAFKA_BROKER_COUNT > what the data dir was made for > 1.
KAFKA_NODES_REQUESTED="${SIGIL_KAFKA_BROKER_COUNT:-}"

kafka_nodes() {
  if [[ -n "$KAFKA_NODES_REQUESTED" ]]; then
    printf '%s' "$KAFKA_NODES_REQUESTED"
  elif [[ -s "$KAFKA_NODESFILE" ]]; then
    tr -dc '0-9' <"$KAFKA_NODESFILE"
  else
    printf 1
  fi
}

# Per-node paths and ports: sets N_DIR N_DATA N_LOGDIR N_LOG N_OUT N_PID N_PROPS N_LOGCONF N_PORT N_CPORT.
kafka_node() {
  local i="$1"
  if ((i == 1)); then N_DIR="$KAFKA_DIR"; else N_DIR="$KAFKA_DIR/node-$i"; fi
  N_DATA="$N_DIR/data"
  N_LOGDIR="$N_DIR/logs"
  N_LOG="$N_LOGDIR/server.log"
  N_OUT="$N_LOGDIR/kafka.out"
  N_PID="$N_DIR/kafka.pid"
  N_PROPS="$N_DIR/server.properties"
  if ((KAFKA_MAJOR >= 4)); then N_LOGCONF="$N_DIR/log4j2.properties"; else N_LOGCONF="$N_DIR/log4j.properties"; fi
  N_PORT=$((KAFKA_PORT + 2 * (i - 1)))
  N_CPORT=$((KAFKA_CONTROLLER_PORT + 2 * (i - 1)))
}

# JVM flag naming the logging config: Kafka 4 logs through log4j2, 3.9 through log4j 1.x (reload4j).
kafka_log_opt() {
  if ((KAFKA_MAJOR >= 4)); then printf -- '-Dlog4j2.configurationFile=%s' "$1"; else printf -- '-Dlog4j.configuration=file:%s' "$1"; fi
}

kafka_marker_content() {
  printf 'kafka=%s pom=%s\n' "$KAFKA_VERSION" "$(sha1sum "$KAFKA_POM" | cut -c1-40)"
}

kafka_libs_ok() {
  [[ -f "$KAFKA_MARKER" ]] && [[ "$(cat "$KAFKA_MARKER")" == "$(kafka_marker_content)" ]] &&
    [[ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]]
}

kafka_fetch_libs() {
  kafka_libs_ok && return 0
  command -v mvn >/dev/null 2>&1 || die "kafka: maven (mvn) is required to fetch Kafka $KAFKA_VERSION jars"
  log "kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central (one-time) ..."
  local tmp="$KAFKA_LIBS.tmp" legacy=()
  ((KAFKA_MAJOR >= 4)) || legacy=(-Dkafka.legacy)
  rm -rf "$tmp"
  mkdir -p "$KAFKA_DIR"
  local out
  if ! out="$(mvn -q -B -Dstyle.color=never -f "$KAFKA_POM" \
    -Dsigil.infra.dir="$INFRA_DIR" -Dkafka.version="$KAFKA_VERSION" "${legacy[@]}" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1)"; then
    printf '%s\n' "$out" | tail -n 40 >&2
    rm -rf "$tmp"
    die "kafka: 'mvn dependency:copy-dependencies' failed for Kafka $KAFKA_VERSION (is Maven Central reachable? is it a released version?)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka: kafka_2.13-$KAFKA_VERSION.jar missing after maven download"
  kafka_marker_content >"$tmp/.sigil-kafka-libs"
  rm -rf "$KAFKA_LIBS" "$INFRA_DIR/kafka/mvn-target"
  mv "$tmp" "$KAFKA_LIBS"
}

kafka_java() { java -cp "$KAFKA_LIBS/*" "$@"; }

kafka_write_config() {
  local i="$1" n="$2" voters="" j
  kafka_node "$i"
  for ((j = 1; j <= n; j++)); do voters+="${voters:+,}$j@127.0.0.1:$((KAFKA_CONTROLLER_PORT + 2 * (j - 1)))"; done
  # With three or more nodes: what deploy/ asks of production topics (3 replicas, 2 in sync).
  local rf=$((n >= 3 ? 3 : 1)) isr=$((n >= 3 ? 2 : 1))
  mkdir -p "$N_DATA" "$N_LOGDIR"
  cat >"$N_PROPS" <<EOF
# Generated by tools/infra/infra.sh on every start - do not edit.
# KRaft node $i of $n (combined broker + controller), dev/CI only.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$N_PORT,CONTROLLER://127.0.0.1:$N_CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$N_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$N_DATA
num.partitions=6
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
group.initial.rebalance.delay.ms=0
# A node that dies without a word (kill -9, power cut) is fenced, and its partitions get new
# leaders among their in-sync replicas, after this long without heartbeats (Kafka: 9 s, during
# which produce and fetch on its partitions fail). docs/reliability.md has the figures.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
auto.create.topics.enable=true
# Requests carry bodies of up to 1 MiB plus their envelope (libs/platform MAX_MESSAGE_BYTES).
message.max.bytes=4194304
replica.fetch.max.bytes=4194304
delete.topic.enable=true
num.network.threads=3
num.io.threads=8
log.retention.hours=168
log.segment.bytes=1073741824
EOF
  if ((n >= 3)); then
    cat >>"$N_PROPS" <<EOF
# Consumers read a partition only up to what every in-sync replica has (the high watermark),
# and with 3 replicas on 3 nodes every partition has one on every node: a node that dies
# freezes them all until it leaves their in-sync replicas. The controllers take it out when
# they fence it: 4 s after a broker kill, but ~6 s after a kill of the controller quorum's
# leader (2 s until the others elect a new one, then a whole broker.session.timeout.ms, since
# a new controller starts every broker's session afresh). A leader drops a follower that has
# not caught up for this long from the in-sync replicas itself (Kafka: 30 s), so partitions
# led by the survivors move on 2-3 s after any kill. Healthy followers fetch every 0.5 s
# at most (replica.fetch.wait.max.ms). docs/reliability.md, "kill of the quorum leader".
replica.lag.time.max.ms=$KAFKA_REPLICA_LAG_MS
EOF
  fi
  if ((KAFKA_MAJOR >= 4)); then
    cat >"$N_LOGCONF" <<EOF
# Generated by tools/infra/infra.sh - Kafka 4 logs via slf4j -> log4j2.
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $N_LOG
appender.file.filePattern = $N_LOG.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
# per-request and per-partition chatter (thousands of lines once tests create many topics)
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
logger.storage.name = org.apache.kafka.storage.internals.log
logger.storage.level = WARN
logger.log.name = kafka.log
logger.log.level = WARN
logger.cluster.name = kafka.cluster
logger.cluster.level = WARN
logger.replication.name = org.apache.kafka.controller.ReplicationControlManager
logger.replication.level = WARN
EOF
    # Of a cluster, the in-sync replica changes ("Shrinking ISR from 1,2,3 to 2,3", "ISR updated"):
    # what a node failure does to every partition (docs/reliability.md reads them).
    if ((n >= 3)); then
      printf '%s\n' 'logger.partition.name = kafka.cluster.Partition' 'logger.partition.level = INFO' >>"$N_LOGCONF"
    fi
  else
    cat >"$N_LOGCONF" <<EOF
# Generated by tools/infra/infra.sh - Kafka 3.9 logs via slf4j -> reload4j (log4j 1.x API).
log4j.rootLogger=INFO, kafkaAppender
log4j.appender.kafkaAppender=org.apache.log4j.RollingFileAppender
log4j.appender.kafkaAppender.File=$N_LOG
log4j.appender.kafkaAppender.MaxFileSize=50MB
log4j.appender.kafkaAppender.MaxBackupIndex=3
log4j.appender.kafkaAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.kafkaAppender.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel\$=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
# per-partition chatter (thousands of lines once tests create many topics)
log4j.logger.kafka.log=WARN
log4j.logger.kafka.cluster=WARN
log4j.logger.org.apache.kafka.controller.ReplicationControlManager=WARN
EOF
  fi
}

# The data was made for a given node count and by a given Kafka version; refuse what cannot work
# (a different quorum, or an older Kafka reading newer metadata) with the way out.
kafka_check_data() {
  local n="$1" had formatted_by newest
  kafka_node 1
  [[ -f "$N_DATA/meta.properties" ]] || return 0
  had="$(tr -dc '0-9' <"$KAFKA_NODESFILE" 2>/dev/null || true)"
  had="${had:-1}"
  if [[ "$had" != "$n" ]]; then
    die "kafka: the data in $KAFKA_DIR is a $had-node cluster, $n node(s) were asked for; run '$0 reset --kafka-brokers $n' (wipes all local data) or use another SIGIL_INFRA_DIR"
  fi
  formatted_by="$(cat "$KAFKA_FORMATTED_BY" 2>/dev/null || printf '3.9.1')"
  newest="$(printf '%s\n%s\n' "$formatted_by" "$KAFKA_VERSION" | sort -V | tail -n1)"
  if [[ "$newest" != "$KAFKA_VERSION" ]]; then
    die "kafka: the data in $KAFKA_DIR was written by Kafka $formatted_by, which Kafka $KAFKA_VERSION cannot read; use another SIGIL_INFRA_DIR for $KAFKA_VERSION or '$0 reset' (wipes all local data)"
  fi
}

kafka_format_storage() {
  local i="$1"
  kafka_node "$i"
  [[ -f "$N_DATA/meta.properties" ]] && return 0
  local cid
  if [[ -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
    cid="$(tr -d '[:space:]' <"$KAFKA_CLUSTER_ID_FILE")"
  else
    cid="$(kafka_java "$(kafka_log_opt "$N_LOGCONF")" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1 | tr -d '[:space:]')"
    [[ -n "$cid" ]] || die "kafka: could not generate a cluster id (kafka.tools.StorageTool random-uuid)"
    printf '%s\n' "$cid" >"$KAFKA_CLUSTER_ID_FILE"
  fi
  log "kafka: formatting KRaft storage of node $i (cluster id $cid, Kafka $KAFKA_VERSION)"
  local out
  if ! out="$(kafka_java "$(kafka_log_opt "$N_LOGCONF")" kafka.tools.StorageTool format -t "$cid" -c "$N_PROPS" 2>&1)"; then
    printf '%s\n' "$out" | tail -n 30 >&2
    die "kafka: storage format of node $i failed"
  fi
  printf '%s\n' "$KAFKA_VERSION" >"$KAFKA_FORMATTED_BY"
}

# pid of node $1 if it is ours and alive
kafka_pid() {
  local pid cmd
  kafka_node "$1"
  pid="$(read_pidfile "$N_PID")" || return 1
  pid_alive "$pid" || return 1
  cmd="$(pid_cmdline "$pid")"
  [[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$N_PROPS"* ]] || return 1
  printf '%s' "$pid"
}

# Has node $1 logged "Kafka Server started" since byte offset $2 of its server.log?
# (grep -c reads everything: no SIGPIPE/pipefail surprises; a rotated log is read from 0)
kafka_log_says_started() {
  local from="$2" size n
  kafka_node "$1"
  [[ -f "$N_LOG" ]] || return 1
  size="$(wc -c <"$N_LOG")"
  ((size >= from)) || from=0
  n="$(tail -c +"$((from + 1))" "$N_LOG" 2>/dev/null | grep -c 'Kafka Server started' || true)"
  [[ "${n:-0}" -gt 0 ]]
}

kafka_running_port() { cat "$KAFKA_PORTFILE" 2>/dev/null || printf '%s' "$KAFKA_PORT"; }

kafka_bootstrap() {
  local n="$1" i list=""
  for ((i = 1; i <= n; i++)); do list+="${list:+,}127.0.0.1:$((KAFKA_PORT + 2 * (i - 1)))"; done
  printf '%s' "$list"
}

# The KRaft quorum's current leader (node id), from the highest-epoch quorum-state file of the
# running nodes; empty if unknown. Used by `status` and the chaos scenario that kills it.
kafka_quorum_leader() {
  local n i f best_epoch=-1 leader="" epoch id
  n="$(kafka_nodes)"
  for ((i = 1; i <= n; i++)); do
    kafka_node "$i"
    kafka_pid "$i" >/dev/null || continue
    f="$N_DATA/__cluster_metadata-0/quorum-state"
    [[ -f "$f" ]] || continue
    epoch="$(grep -o '"leaderEpoch":[0-9-]*' "$f" | cut -d: -f2 || true)"
    id="$(grep -o '"leaderId":[0-9-]*' "$f" | cut -d: -f2 || true)"
    [[ -n "$epoch" && -n "$id" && "$id" != -1 ]] || continue
    if ((epoch > best_epoch)); then
      best_epoch=$epoch
      leader=$id
    fi
  done
  printf '%s' "$leader"
}

start_kafka() {
  validate_port SIGIL_KAFKA_PORT "$KAFKA_PORT"
  validate_port SIGIL_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  # Kafka wants the lag time above how long a follower's fetch may wait (replica.fetch.wait.max.ms, 500).
  [[ "$KAFKA_REPLICA_LAG_MS" =~ ^[0-9]+$ ]] && ((KAFKA_REPLICA_LAG_MS > 500)) ||
    die "SIGIL_KAFKA_REPLICA_LAG_TIME_MAX_MS must be a number of milliseconds above 500, got '$KAFKA_REPLICA_LAG_MS'"
  [[ "$KAFKA_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "SIGIL_KAFKA_VERSION must be a release like 4.4.0 or 3.9.1, got '$KAFKA_VERSION'"
  ((KAFKA_MAJOR >= 4)) || [[ "$KAFKA_VERSION" == 3.9.* ]] || die "kafka: Sigil supports Kafka 3.9.x and 4.x, not $KAFKA_VERSION"
  mkdir -p "$KAFKA_DIR"
  local n i pid rp
  n="$(kafka_nodes)"
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 9)) || die "--kafka-brokers must be 1..9, got '$n'"
  if [[ -s "$KAFKA_PORTFILE" ]] && kafka_pid 1 >/dev/null; then
    rp="$(kafka_running_port)"
    [[ "$rp" == "$KAFKA_PORT" ]] || die "kafka: already running (ours) on port $rp, but port $KAFKA_PORT was requested; run '$0 restart kafka' to move it"
  fi
  kafka_check_data "$n"

  local to_start=() logstart=()
  for ((i = 1; i <= n; i++)); do
    kafka_node "$i" # (kafka_pid runs in a subshell: its N_* do not reach us)
    if pid="$(kafka_pid "$i")"; then continue; fi
    rm -f "$N_PID"
    require_free_port "kafka (node $i)" "$N_PORT" SIGIL_KAFKA_PORT
    require_free_port "kafka (node $i controller)" "$N_CPORT" SIGIL_KAFKA_CONTROLLER_PORT
    to_start+=("$i")
  done
  if ((${#to_start[@]} == 0)); then
    log "kafka     ready  brokers $(kafka_bootstrap "$n")  (already running, Kafka $KAFKA_VERSION, $n node(s))"
    return 0
  fi
  kafka_fetch_libs
  for i in "${to_start[@]}"; do
    kafka_write_config "$i" "$n"
    kafka_format_storage "$i"
  done
  printf '%s\n' "$KAFKA_PORT" >"$KAFKA_PORTFILE"
  printf '%s\n' "$n" >"$KAFKA_NODESFILE"

  # A node of a cluster only finishes starting once a quorum runs: launch all, then wait for all.
  local heap=(-Xms256m -Xmx768m)
  ((n == 1)) || heap=(-Xms192m -Xmx512m)
  for i in "${to_start[@]}"; do
    kafka_node "$i"
    logstart[$i]=0
    [[ -f "$N_LOG" ]] && logstart[$i]="$(wc -c <"$N_LOG")"
    # Own session (setsid) so it survives the calling shell; the inner bash records its own pid
    # and then execs java, so the pid file holds the JVM's pid.
    setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$N_PID" \
      java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dkafka.logs.dir="$N_LOGDIR" "$(kafka_log_opt "$N_LOGCONF")" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$N_PROPS" \
      >"$N_OUT" 2>&1 </dev/null 9>&- &
    disown || true
  done

  local t0=$SECONDS
  for i in "${to_start[@]}"; do
    while :; do
      kafka_node "$i"
      pid="$(read_pidfile "$N_PID" 2>/dev/null || true)"
      if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
        tail_log "$N_OUT" 20
        tail_log "$N_LOG" 40
        rm -f "$N_PID"
        die "kafka: node $i exited during startup (logs: $N_LOGDIR)"
      fi
      if [[ -n "$pid" ]] && port_open "$N_PORT" && kafka_log_says_started "$i" "${logstart[$i]}"; then
        break
      fi
      if ((SECONDS - t0 > KAFKA_TIMEOUT)); then
        tail_log "$N_OUT" 20
        tail_log "$N_LOG" 40
        die "kafka: node $i not ready on 127.0.0.1:$N_PORT after ${KAFKA_TIMEOUT}s (still running as pid ${pid:-?}; logs: $N_LOGDIR)"
      fi
      sleep 0.5
    done
  done
  if ((n == 1)); then
    log "kafka     ready  127.0.0.1:$KAFKA_PORT  brokers 127.0.0.1:$KAFKA_PORT  (Kafka $KAFKA_VERSION KRaft, controller :$KAFKA_CONTROLLER_PORT, pid $pid, started in $((SECONDS - t0))s)"
  else
    log "kafka     ready  brokers $(kafka_bootstrap "$n")  (Kafka $KAFKA_VERSION KRaft, $n combined nodes, replication factor 3, min.insync.replicas 2, started node(s) ${to_start[*]} in $((SECONDS - t0))s)"
  fi
}

stop_kafka() {
  local n i pid pids=() any=0
  n="$(kafka_nodes)"
  # Every node at once: stopped one by one, the last ones would wait for a quorum that is gone.
  for ((i = n; i >= 1; i--)); do
    kafka_node "$i"
    if pid="$(kafka_pid "$i")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      any=1
    else
      rm -f "$N_PID"
    fi
  done
  if ((any == 0)); then
    log "kafka     stopped (was not running)"
    return 0
  fi
  # Of a cluster stopped whole, the last node's controlled shutdown waits for a quorum that is
  # gone; its logs are flushed by then, so it gets a short grace before SIGKILL.
  local t0=$SECONDS limit="$STOP_TIMEOUT"
  ((n == 1 || limit <= 10)) || limit=10
  for pid in "${pids[@]}"; do
    while pid_alive "$pid"; do
      if ((SECONDS - t0 > limit)); then
        ((n > 1)) || warn "kafka: pid $pid did not exit within ${limit}s after SIGTERM, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
  done
  for ((i = 1; i <= n; i++)); do
    kafka_node "$i"
    rm -f "$N_PID"
  done
  log "kafka     stopped"
}

status_kafka() {
  local n i pid rc=0 leader
  n="$(kafka_nodes)"
  if ((n == 1)); then
    if pid="$(kafka_pid 1)"; then
      printf '%-9s running  127.0.0.1:%s  (pid %s, Kafka %s)\n' kafka "$(kafka_running_port)" "$pid" "$KAFKA_VERSION"
      return 0
    fi
    printf '%-9s stopped  (port %s)\n' kafka "$KAFKA_PORT"
    return 1
  fi
  leader="$(kafka_quorum_leader)"
  for ((i = 1; i <= n; i++)); do
    kafka_node "$i"
    if pid="$(kafka_pid "$i")"; then
      printf '%-9s running  127.0.0.1:%s  (node %s of %s, pid %s, Kafka %s%s)\n' kafka "$N_PORT" "$i" "$n" "$pid" "$KAFKA_VERSION" "$([[ "$leader" == "$i" ]] && printf ', quorum leader')"
    else
      printf '%-9s stopped  127.0.0.1:%s  (node %s of %s)\n' kafka "$N_PORT" "$i" "$n"
      rc=1
    fi
  done
  return "$rc"
}

# keep downloaded jars + cluster id; wipe data, logs and generated config of every node
wipe_kafka() {
  local i
  for ((i = 1; i <= 9; i++)); do
    kafka_node "$i"
    rm -rf "$N_DATA" "$N_LOGDIR" "$N_PID" "$N_PROPS" "$N_DIR/log4j.properties" "$N_DIR/log4j2.properties"
    ((i == 1)) || rmdir "$N_DIR" 2>/dev/null || true
  done
  rm -f "$KAFKA_PORTFILE" "$KAFKA_CLUSTER_ID_FILE" "$KAFKA_NODESFILE" "$KAFKA_FORMATTED_BY"
}

# ----------------------------------------------------------------------------- dispatch

usage() {
  cat <<EOF
Usage: $0 <command> [component...] [--kafka-brokers N]

Commands:
  up                       start postgres, redis and kafka (idempotent) and wait until ready
  down                     stop all three (graceful, SIGKILL after ${STOP_TIMEOUT}s)
  status                   one line per component (exit 0 only if all are running)
  reset                    down + wipe all data under .infra/ (kafka jars kept) + up
  start   <component...>   start only the given components   (postgres|redis|kafka)
  stop    <component...>   stop only the given components
  restart <component...>   stop + start the given components

Options:
  --kafka-brokers N        Kafka as an N-node KRaft cluster (every node broker + controller;
                           N >= 3: replication factor 3, min.insync.replicas 2). Remembered:
                           later commands act on the same cluster. Changing N needs 'reset'.

Env: SIGIL_PG_PORT (5432) SIGIL_REDIS_PORT (6379) SIGIL_KAFKA_PORT (9092; node i: + 2(i-1))
     SIGIL_KAFKA_CONTROLLER_PORT (kafka port + 1; node i: + 2(i-1))
     SIGIL_KAFKA_VERSION (4.4.0; 3.9.1 for the older line)  SIGIL_KAFKA_BROKER_COUNT (= --kafka-brokers)
     SIGIL_KAFKA_REPLICA_LAG_TIME_MAX_MS (2000; a cluster's replica.lag.time.max.ms)
Data/logs: $INFRA_DIR
EOF
}

normalize_component() {
  case "$1" in
    postgres | postgresql | pg) echo postgres ;;
    redis) echo redis ;;
    kafka) echo kafka ;;
    all) echo all ;;
    *) die "unknown component '$1' (expected postgres, redis or kafka)" ;;
  esac
}


# The three-master Redis Cluster of the Cluster tests (redis-cluster.sh) belongs to the default
# instance; a private one (SIGIL_INFRA_DIR: chaos, other Kafka lines) gets its own only when it
# names its ports with SIGIL_REDIS_CLUSTER_PORT.
redis_cluster() {
  if [[ -z "${SIGIL_INFRA_DIR:-}" || -n "${SIGIL_REDIS_CLUSTER_PORT:-}" ]]; then bash "$SCRIPT_DIR/redis-cluster.sh" "$@"; fi
}

acquire_lock() {
  mkdir -p "$INFRA_DIR"
  exec 9>"$INFRA_DIR/.lock"
  if ! flock -n 9; then
    log "waiting for another infra.sh run to finish (lock $INFRA_DIR/.lock) ..."
    flock -w 600 9 || die "another infra.sh is still running after 600s (lock $INFRA_DIR/.lock)"
  fi
}

do_start() {
  local comps=("$@") c
  ensure_packages "${comps[@]}"
  for c in "${comps[@]}"; do "start_$c"; done
}

do_stop() {
  local comps=("$@") i
  # reverse order: kafka, redis, postgres
  for ((i = ${#comps[@]} - 1; i >= 0; i--)); do
    case "${comps[$i]}" in
      postgres) if pg_bin_dir >/dev/null; then stop_postgres; else log "postgres  stopped (not installed)"; fi ;;
      redis) if command -v redis-cli >/dev/null 2>&1; then stop_redis; else log "redis     stopped (not installed)"; fi ;;
      kafka) stop_kafka ;;
    esac
  done
}

main() {
  # Options may stand anywhere after the command: `up --kafka-brokers 3`, `--kafka-brokers=3 up`.
  local args=()
  while (($#)); do
    case "$1" in
      --kafka-brokers)
        (($# >= 2)) || die "--kafka-brokers needs a number"
        KAFKA_NODES_REQUESTED="$2"
        shift 2
        ;;
      --kafka-brokers=*)
        KAFKA_NODES_REQUESTED="${1#*=}"
        shift
        ;;
      *)
        args+=("$1")
        shift
        ;;
    esac
  done
  [[ -z "$KAFKA_NODES_REQUESTED" || "$KAFKA_NODES_REQUESTED" =~ ^[1-9]$ ]] || die "--kafka-brokers must be 1..9, got '$KAFKA_NODES_REQUESTED'"
  set -- "${args[@]+"${args[@]}"}"
  local cmd="${1:-}"
  (($#)) && shift
  case "$cmd" in
    up)
      acquire_lock
      local t0=$SECONDS
      do_start "${COMPONENTS[@]}"
      redis_cluster up
      log "all up in $((SECONDS - t0))s (data: $INFRA_DIR)"
      ;;
    down)
      acquire_lock
      redis_cluster down
      do_stop "${COMPONENTS[@]}"
      ;;
    start | stop | restart)
      (($#)) || die "'$cmd' needs at least one component: postgres, redis, kafka"
      local comps=() c n
      for c in "$@"; do
        n="$(normalize_component "$c")" || exit 1
        if [[ "$n" == all ]]; then comps+=("${COMPONENTS[@]}"); else comps+=("$n"); fi
      done
      acquire_lock
      case "$cmd" in
        start) do_start "${comps[@]}" ;;
        stop) do_stop "${comps[@]}" ;;
        restart)
          do_stop "${comps[@]}"
          do_start "${comps[@]}"
          ;;
      esac
      ;;
    status)
      local rc=0 c
      for c in "${COMPONENTS[@]}"; do
        case "$c" in
          postgres) if pg_bin_dir >/dev/null; then status_postgres || rc=1; else
            printf '%-9s stopped  (not installed)\n' postgres
            rc=1
          fi ;;
          redis) status_redis || rc=1 ;;
          kafka) status_kafka || rc=1 ;;
        esac
      done
      redis_cluster status || rc=1
      return "$rc"
      ;;
    reset)
      acquire_lock
      do_stop "${COMPONENTS[@]}"
      log "wiping data under $INFRA_DIR (kafka jars kept)"
      if pg_bin_dir >/dev/null; then wipe_postgres; fi
      wipe_redis
      wipe_kafka
      redis_cluster wipe
      local t0=$SECONDS
      do_start "${COMPONENTS[@]}"
      redis_cluster up
      log "all up in $((SECONDS - t0))s (data: $INFRA_DIR)"
      ;;
    -h | --help | help) usage ;;
    "")
      usage >&2
      exit 2
      ;;
    *)
      usage >&2
      die "unknown command '$cmd'"
      ;;
  esac
}

main "$@"
