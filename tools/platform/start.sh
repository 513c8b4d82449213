#!/usr/bin/env bash
# Runs the whole platform on this machine: installs what is missing, starts
# PostgreSQL, Redis and Kafka, builds, starts the five services in
# the background (logs in .infra/logs/), waits until the gateway reports every
# service healthy, then prints the gateway URL and a working demo API key.
# Idempotent: running it again restarts the services on the current code.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd -P)"
SERVICES=(keys contacts segments webhooks gateway)
RUN_DIR="$ROOT/.infra/run"
LOG_DIR="$ROOT/.infra/logs"
GATEWAY_PORT="${PORT:-3000}"
mkdir -p "$RUN_DIR" "$LOG_DIR"

bash tools/setup/ensure-deps.sh
bash tools/infra/infra.sh up
echo "[sigil] building"
npm run --silent build

bash tools/platform/stop.sh --quiet

# The infrastructure's ports (SIGIL_*_PORT, e.g. moved off a port in use) are the services' too.
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${SIGIL_KAFKA_PORT:-9092}}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${SIGIL_REDIS_PORT:-6379}}"
# Development defaults, generous where production's protect a public signup from abuse: a
# developer's own scripts all sign up from 127.0.0.1 (the production default is 20 an hour,
# apps/gateway/src/config.ts). A value set by the caller wins.
DEV_GATEWAY_ENV=(SIGNUP_LIMIT_PER_IP_PER_HOUR="${SIGNUP_LIMIT_PER_IP_PER_HOUR:-10000}")
# The operator API's token (SPEC §15: plans belong to the operator): generated once into
# .infra/admin-token (owner-only), reused on later starts; SIGIL_ADMIN_TOKEN set by the caller wins.
ADMIN_TOKEN_FILE="$ROOT/.infra/admin-token"
if [ -z "${SIGIL_ADMIN_TOKEN:-}" ]; then
  if [ ! -s "$ADMIN_TOKEN_FILE" ]; then
    (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$ADMIN_TOKEN_FILE")
  fi
  SIGIL_ADMIN_TOKEN="$(cat "$ADMIN_TOKEN_FILE")"
fi
export SIGIL_ADMIN_TOKEN
DEV_GATEWAY_ENV+=(SIGIL_ADMIN_TOKEN="$SIGIL_ADMIN_TOKEN")
# The key-encryption key of webhook signing secrets (docs/webhooks.md, "Secrets at rest"): generated
# once into .infra/webhook-secret-kek (owner-only), reused on later starts (the secrets in the database
# are sealed with it); WEBHOOK_SECRET_KEK set by the caller wins.
KEK_FILE="$ROOT/.infra/webhook-secret-kek"
if [ -z "${WEBHOOK_SECRET_KEK:-}" ]; then
  if [ ! -s "$KEK_FILE" ]; then
    (umask 077 && printf 'local:%s' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >"$KEK_FILE")
  fi
  WEBHOOK_SECRET_KEK="$(cat "$KEK_FILE")"
fi
# Import uploads are staged in the contacts database (docs/contacts.md, "Import jobs").
DEV_GATEWAY_ENV+=(IMPORTS_DATABASE_URL="${IMPORTS_DATABASE_URL:-postgres://sigil:sigil@127.0.0.1:${SIGIL_PG_PORT:-5432}/sigil_contacts}")
# glibc's malloc: allocations over 128 KB by mmap, always, as the image sets it (Dockerfile;
# docs/operations.md, "Memory of the Node processes"). A value set by the caller wins.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"

for svc in "${SERVICES[@]}"; do
  env_port=()
  [ "$svc" = gateway ] && env_port=(PORT="$GATEWAY_PORT" HOST="${HOST:-127.0.0.1}" "${DEV_GATEWAY_ENV[@]}")
  [ "$svc" != gateway ] && [ -z "${DATABASE_URL:-}" ] && env_port+=(DATABASE_URL="postgres://sigil:sigil@127.0.0.1:${SIGIL_PG_PORT:-5432}/sigil_$svc")
  [ "$svc" = webhooks ] && env_port+=(WEBHOOK_SECRET_KEK="$WEBHOOK_SECRET_KEK")
  # Each service applies its own migrations at start, under an advisory lock.
  # Only the gateway takes PORT/HOST from the caller; the services keep their own defaults.
  env -u PORT -u HOST "${env_port[@]}" nohup node "dist/apps/$svc/src/main.js" >>"$LOG_DIR/$svc.log" 2>&1 &
  echo $! >"$RUN_DIR/$svc.pid"
  echo "[sigil] started $svc (pid $!, log .infra/logs/$svc.log)"
done

GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT"
echo "[sigil] waiting for every service to answer through the gateway"
for _ in $(seq 1 120); do
  if curl -fsS "$GATEWAY_URL/v1/health" 2>/dev/null | grep -q '"status":"up"'; then
    node dist/tools/platform/src/demo-tenant.js "$GATEWAY_URL"
    exit 0
  fi
  for svc in "${SERVICES[@]}"; do
    if ! kill -0 "$(cat "$RUN_DIR/$svc.pid")" 2>/dev/null; then
      echo "[sigil] $svc exited; last log lines:" >&2
      tail -n 30 "$LOG_DIR/$svc.log" >&2
      exit 1
    fi
  done
  sleep 0.5
done
echo "[sigil] the platform did not become healthy within 60 s; see .infra/logs/" >&2
curl -sS "$GATEWAY_URL/v1/health" >&2 || true
exit 1
