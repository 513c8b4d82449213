#!/usr/bin/env bash
# npm run test:fuzz [-- --long]
# Generated requests from the gateway's own /v1/openapi.json (schemathesis)
# against a fresh stack (every service its own process, private Kafka
# namespace, a live `*` key). Checks: no 5xx, responses match the documented
# schemas, errors are the envelope without internals (sigil_checks.py).
# CI size by default (a few examples per operation, about 2 minutes);
# --long for the report run. Extra arguments go to `st run`. /v1/health is
# left out: it has no input, and answers 503 by design while a service is down.
set -euo pipefail
cd "$(dirname "$0")/../../.."
MAX_EXAMPLES=5; METHODS=positive; TIMEBOX=240
if [ "${1:-}" = "--long" ]; then shift; MAX_EXAMPLES=100; METHODS=all; TIMEBOX=1800; fi
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-$MAX_EXAMPLES}"; TIMEBOX="${FUZZ_TIMEBOX:-$TIMEBOX}"
VENV_BIN="$(bash tools/reliability/venv.sh)"
[ -f dist/tools/reliability/src/reliability-main.js ] || npm run --silent build
OUT="$(mktemp -d /tmp/sigil-fuzz.XXXXXX)"
node dist/tools/reliability/src/reliability-main.js stack --out "$OUT/stack.env" >"$OUT/stack.log" 2>&1 &
STACK_PID=$!
cleanup() { kill -TERM "$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 180); do
  [ -f "$OUT/stack.env" ] && break
  kill -0 "$STACK_PID" 2>/dev/null || { cat "$OUT/stack.log"; echo "fuzz: the stack did not start" >&2; exit 1; }
  sleep 1
done
[ -f "$OUT/stack.env" ] || { cat "$OUT/stack.log"; echo "fuzz: the stack did not start in 180 s" >&2; exit 1; }
# shellcheck disable=SC1091
. "$OUT/stack.env"
mkdir -p bench-results
REPORT="bench-results/fuzz-$(date -u +%Y-%m-%dT%H-%M-%SZ).xml"
echo "fuzz: ${GATEWAY_URL}/v1/openapi.json, ${MAX_EXAMPLES} examples per operation (${METHODS}), report ${REPORT}"
set +e
PYTHONPATH=tools/reliability/fuzz SCHEMATHESIS_HOOKS=sigil_checks timeout "$TIMEBOX" "$VENV_BIN/st" run "${GATEWAY_URL}/v1/openapi.json" \
  --base-url "$GATEWAY_URL" \
  -H "Authorization: Bearer ${API_KEY}" \
  --checks not_a_server_error,response_schema_conformance,error_envelope_without_internals \
  --data-generation-method "$METHODS" \
  --hypothesis-max-examples "$MAX_EXAMPLES" \
  --hypothesis-seed "${FUZZ_SEED:-1}" \
  --hypothesis-suppress-health-check all \
  --request-timeout 15000 \
  --workers 2 \
  --junit-xml "$REPORT" \
  --no-color \
  --experimental=openapi-3.1 \
  --generation-with-security-parameters false \
  --exclude-path-regex "^/v1/health$" \
  "$@"
STATUS=$?
set -e
# Kafka client noise (reconnects) is not a finding; anything else the services logged as an error is shown.
ERRORS=$(grep -h '"level":"error"' "$LOG_DIR"/*.log 2>/dev/null | grep -v kafkajs | cut -c1-400 | head -20 || true)
if [ -n "$ERRORS" ]; then
  echo "fuzz: errors logged by the services (first 20):"
  echo "$ERRORS"
fi
[ "$STATUS" = 124 ] && echo "fuzz: time box of ${TIMEBOX} s reached" >&2
exit "$STATUS"
