#!/usr/bin/env bash
# A real Redis Cluster of three masters (no replicas), started natively with the
# same redis-server binary as the single Redis, for the tests that prove the
# gateway's Redis keys work under Cluster (hash tags; no CROSSSLOT).
#
#   tools/infra/redis-cluster.sh up|down|status|reset
#
# Ports: SIGIL_REDIS_CLUSTER_PORT (7000) and the next two; each node also uses
# its port + 10000 for the cluster bus. Data and logs: <infra dir>/redis-cluster/.
# Tests find it through REDIS_CLUSTER_NODES (default 127.0.0.1:7000,7001,7002).
# infra.sh up/down/status/reset call this script; it can also run on its own.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"
INFRA_DIR="${SIGIL_INFRA_DIR:-$REPO_ROOT/.infra}"
BASE_PORT="${SIGIL_REDIS_CLUSTER_PORT:-7000}"
TIMEOUT="${SIGIL_REDIS_TIMEOUT:-30}"
DIR="$INFRA_DIR/redis-cluster"
PORTS=("$BASE_PORT" "$((BASE_PORT + 1))" "$((BASE_PORT + 2))")

log() { printf '[infra] %s\n' "$*"; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

[[ "$BASE_PORT" =~ ^[0-9]+$ ]] && ((BASE_PORT > 0 && BASE_PORT + 10002 < 65536)) ||
  die "SIGIL_REDIS_CLUSTER_PORT must leave room for 3 ports and their cluster bus (+10000), got '$BASE_PORT'"
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 ||
  die "redis-cluster: redis-server/redis-cli missing (tools/infra/infra.sh up installs them)"

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }

node_pid() {
  local f="$DIR/$1/redis.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *redis-server* ]] || return 1
  printf '%s' "$pid"
}

cluster_ok() { [[ "$(cli "${PORTS[0]}" cluster info 2>/dev/null | tr -d '\r' | grep '^cluster_state:' || true)" == "cluster_state:ok" ]]; }

start_node() {
  local port="$1" d="$DIR/$1"
  mkdir -p "$d"
  if node_pid "$port" >/dev/null; then return 0; fi
  if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    die "redis-cluster: port $port on 127.0.0.1 is taken by something that is not ours; pick another base, e.g. SIGIL_REDIS_CLUSTER_PORT=<port> $0 up"
  fi
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --dir "$d" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
    --save "" --appendonly no --daemonize yes --pidfile "$d/redis.pid" --logfile "$d/redis.log" \
    >/dev/null 2>&1 9>&- || die "redis-cluster: redis-server on port $port failed to launch (log: $d/redis.log)"
  local t0=$SECONDS
  until [[ "$(cli "$port" ping 2>/dev/null || true)" == "PONG" ]]; do
    ((SECONDS - t0 > TIMEOUT)) && die "redis-cluster: node $port not ready after ${TIMEOUT}s (log: $d/redis.log)"
    sleep 0.2
  done
}

up() {
  local p
  for p in "${PORTS[@]}"; do start_node "$p"; done
  if ! cluster_ok; then
    # Fresh nodes (no slots yet): assign the 16384 slots to the three masters.
    if [[ "$(cli "${PORTS[0]}" cluster info | tr -d '\r' | grep '^cluster_slots_assigned:')" == "cluster_slots_assigned:0" ]]; then
      redis-cli --cluster create "${PORTS[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >"$DIR/create.log" 2>&1 ||
        die "redis-cluster: 'redis-cli --cluster create' failed (log: $DIR/create.log)"
    fi
    local t0=$SECONDS
    until cluster_ok; do
      ((SECONDS - t0 > TIMEOUT)) && die "redis-cluster: cluster_state not ok after ${TIMEOUT}s (logs: $DIR/*/redis.log)"
      sleep 0.2
    done
  fi
  log "redis-cluster ready  127.0.0.1:${PORTS[0]},${PORTS[1]},${PORTS[2]}  (3 masters; tests: REDIS_CLUSTER_NODES)"
}

down() {
  local p pid
  for p in "${PORTS[@]}"; do
    if pid="$(node_pid "$p")"; then
      cli "$p" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
      local t0=$SECONDS
      while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS - t0 > 10)); then kill -KILL "$pid" 2>/dev/null || true; break; fi
        sleep 0.1
      done
    fi
    rm -f "$DIR/$p/redis.pid"
  done
  log "redis-cluster stopped"
}

status() {
  local p pids=()
  for p in "${PORTS[@]}"; do
    pid="$(node_pid "$p")" || {
      printf '%-9s stopped  (ports %s-%s)\n' redis-cl "${PORTS[0]}" "${PORTS[2]}"
      return 1
    }
    pids+=("$pid")
  done
  if cluster_ok; then
    printf '%-9s running  127.0.0.1:%s-%s  (pids %s)\n' redis-cl "${PORTS[0]}" "${PORTS[2]}" "${pids[*]}"
  else
    printf '%-9s degraded 127.0.0.1:%s-%s  (cluster_state not ok)\n' redis-cl "${PORTS[0]}" "${PORTS[2]}"
    return 1
  fi
}

case "${1:-}" in
  up | start) up ;;
  down | stop) down ;;
  status) status ;;
  reset | wipe)
    down
    rm -rf "$DIR"
    if [[ "$1" == reset ]]; then up; fi
    ;;
  *)
    printf 'Usage: %s up|down|status|reset|wipe\n' "$0" >&2
    exit 2
    ;;
esac
