#!/usr/bin/env bash
# npm run test:sdk:python [-- pytest args]
# The Python SDK's tests against a live stack: starts every service as its
# own process (fresh databases, a private Kafka namespace, rate limits on,
# webhooks allowed to reach 127.0.0.1), creates a tenant with a live `*` key,
# and runs pytest in the SDK's venv with SIGIL_BASE_URL/SIGIL_API_KEY set.
set -euo pipefail
cd "$(dirname "$0")/../../.."
VENV_BIN="$(bash sdks/python/venv.sh)"
[ -f dist/tools/reliability/src/reliability-main.js ] || npm run --silent build
OUT="$(mktemp -d /tmp/sigil-sdk-python.XXXXXX)"
node dist/tools/reliability/src/reliability-main.js stack --out "$OUT/stack.env" --rate-limits --local-webhooks >"$OUT/stack.log" 2>&1 &
STACK_PID=$!
cleanup() { kill -TERM "$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
for _ in $(seq 1 180); do
  [ -f "$OUT/stack.env" ] && break
  kill -0 "$STACK_PID" 2>/dev/null || { cat "$OUT/stack.log"; echo "sdk-python: the stack did not start" >&2; exit 1; }
  sleep 1
done
[ -f "$OUT/stack.env" ] || { cat "$OUT/stack.log"; echo "sdk-python: the stack did not start in 180 s" >&2; exit 1; }
# shellcheck disable=SC1091
. "$OUT/stack.env"
cd sdks/python
SIGIL_BASE_URL="$GATEWAY_URL" SIGIL_API_KEY="$API_KEY" PYTHONDONTWRITEBYTECODE=1 "$VENV_BIN/python" -m pytest -p no:cacheprovider -q "$@"
