#!/usr/bin/env bash
# Stops the services started by `npm start` (SIGTERM, so in-flight work
# drains). The infrastructure keeps running: `npm run infra -- down` stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=.infra/run
quiet=false; [ "${1:-}" = --quiet ] && quiet=true
for pidfile in "$RUN_DIR"/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile"); svc=$(basename "$pidfile" .pid)
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    $quiet || echo "[sigil] stopped $svc"
  fi
  rm -f "$pidfile"
done
