#!/usr/bin/env bash
# npm run test:fuzz [-- --long] [-- extra `st run` arguments]
# Generated requests from the gateway's own /v1/openapi.json (schemathesis
# 4.x, all four phases: examples, coverage, fuzzing, stateful through the
# document's OpenAPI links; its default checks, i.e. all of them, plus
# error_envelope_without_internals from sigil_checks.py) against a fresh
# stack (every service its own process, private Kafka namespace, a live `*`
# key, rate limits off).
# Quick by default (CI: FUZZ_MAX_EXAMPLES=3 per operation, 15-minute time box);
# --long for the report run (100 per operation, 2-hour time box, and a
# longer stateful phase: see the sizes below).
# /v1/health is left out: it has no input and answers 503 by design while a
# service is down.
set -euo pipefail
cd "$(dirname "$0")/../../.."
MAX_EXAMPLES=3; TIMEBOX=900
# Every default check runs, quick or long: the document is as strict as the
# validation (docs/gateway.md, "OpenAPI"), so a schema-valid request refused,
# an undeclared method not answered 405 with the document's `Allow`, an
# invalid credential accepted, or an answer that differs from its documented
# schema (every success's `data` is typed) is a finding. The key goes in both
# credential headers the document declares, so schemathesis's auth probes test both.
# The stateful phase's reach is printed after the run (stateful_reach.py: every
# operation that takes an id should get a 2xx with an id carried by a link);
# --long fails when one is not reached.
# The sizes go in a generated schemathesis.toml, not on the command line
# (`--max-examples` there would win over the file's stateful count):
# `generation.max-examples` per operation; the stateful phase's scenarios
# (`phases.stateful.generation.max-examples`) and their length
# (`phases.stateful.max-steps`). Quick: as many scenarios as examples, of
# schemathesis' 6 steps. --long: 1 000 scenarios of up to 20 steps, which the
# chains of links need (webhook → test delivery → retry, invitation → accept →
# member); FUZZ_STATEFUL_SCENARIOS / FUZZ_STATEFUL_STEPS override.
# The scenarios follow the document's own links only
# (`phases.stateful.inference.algorithms = []`): schemathesis otherwise adds
# links it infers (379 of the 433 links of session 6's quick run), mostly
# one resource's id guessed into another's path (a 404), which spread the
# steps thin, and the document's links are the contract under test.
# --long also runs the stateful phase a second time, alone, right after the all-phase run, against the same
# stack and tenant (`--phases stateful`, the next seed; FUZZ_STATEFUL_PASSES=1 leaves it out), for a time
# budget (`--max-time`, FUZZ_STATEFUL_SECONDS, 600 s): schemathesis runs the phase as Hypothesis "suites"
# of scenarios, and a suite ends early (sessions 7 to 11: after 27 to 337 of the 1 000 scenarios allowed;
# why, sigil_checks.py records per suite and stateful_reach.py prints); without a time budget the phase is
# then over, with one it starts another suite (a new seed) until the budget is spent. The reach report
# counts both passes (sigil_checks.py adds to the first pass's counts).
STRICT_REACH=(); STEPS=6; SCENARIOS=; PASSES=1
if [ "${1:-}" = "--long" ]; then shift; MAX_EXAMPLES=100; TIMEBOX=7200; STRICT_REACH=(--strict); STEPS=20; SCENARIOS=1000; PASSES=2; fi
PASSES="${FUZZ_STATEFUL_PASSES:-$PASSES}"; STATEFUL_SECONDS="${FUZZ_STATEFUL_SECONDS:-600}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-$MAX_EXAMPLES}"; TIMEBOX="${FUZZ_TIMEBOX:-$TIMEBOX}"
STEPS="${FUZZ_STATEFUL_STEPS:-$STEPS}"; SCENARIOS="${FUZZ_STATEFUL_SCENARIOS:-${SCENARIOS:-$MAX_EXAMPLES}}"
VENV_BIN="$(bash tools/reliability/venv.sh)"
OUT="$(mktemp -d /tmp/sigil-fuzz.XXXXXX)"
. tools/reliability/stack.sh
# One attempt per delivery: a failed test delivery can be retried at once (stack-launcher.ts).
start_stack "$OUT" --single-attempt-webhooks
mkdir -p bench-results
REPORT="bench-results/fuzz-$(date -u +%Y-%m-%dT%H-%M-%SZ).xml"
curl -sf "${GATEWAY_URL}/v1/openapi.json" -o "$OUT/openapi.json"
printf '[generation]\nmax-examples = %d\n\n[phases.stateful]\nmax-steps = %d\n\n[phases.stateful.generation]\nmax-examples = %d\n\n[phases.stateful.inference]\nalgorithms = []\n' \
  "$MAX_EXAMPLES" "$STEPS" "$SCENARIOS" > "$OUT/schemathesis.toml"
echo "fuzz: schemathesis $("$VENV_BIN/st" --version | awk '{print $NF}'), ${GATEWAY_URL}/v1/openapi.json, ${MAX_EXAMPLES} examples per operation, all phases (${SCENARIOS} stateful scenarios of up to ${STEPS} steps), every default check, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), load average $(cut -d' ' -f1-3 /proc/loadavg), report ${REPORT}"
STARTED=$(date +%s)
# One `st run`: $1 the phases, $2 the seed, $3 the JUnit report, $4 the time box; then the extra arguments.
fuzz_pass() {
  local phases="$1" seed="$2" junit="$3" box="$4"; shift 4
  # FUZZ_BASE_URL/FUZZ_API_KEY: the hooks read the tenant's custom field definitions, and a delivery before its
  # retry, as a client would (sigil_checks.map_case, before_call).
  FUZZ_BASE_URL="$GATEWAY_URL" FUZZ_API_KEY="$API_KEY" FUZZ_STATEFUL_REPORT="$OUT/stateful.json" PYTHONPATH=tools/reliability/fuzz SCHEMATHESIS_HOOKS=sigil_checks \
    timeout "$box" "$VENV_BIN/st" --no-color --config-file "$OUT/schemathesis.toml" run "${GATEWAY_URL}/v1/openapi.json" \
    --url "$GATEWAY_URL" \
    -H "Authorization: Bearer ${API_KEY}" \
    -H "X-API-Key: ${API_KEY}" \
    --phases "$phases" \
    --seed "$seed" \
    --suppress-health-check all \
    --request-timeout 15 \
    --workers "${FUZZ_WORKERS:-2}" \
    --report junit --report-junit-path "$junit" \
    --exclude-path /v1/health \
    "$@"
}
set +e
fuzz_pass examples,coverage,fuzzing,stateful "${FUZZ_SEED:-1}" "$REPORT" "$TIMEBOX" "$@"
STATUS=$?
set -e
echo "fuzz: finished in $(( $(date +%s) - STARTED )) s (exit ${STATUS}, load average $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "$PASSES" -ge 2 ] && [ "$STATUS" != 124 ]; then
  LEFT=$(( TIMEBOX - ($(date +%s) - STARTED) ))
  if [ "$LEFT" -gt 60 ]; then
    BUDGET=$(( STATEFUL_SECONDS < LEFT - 60 ? STATEFUL_SECONDS : LEFT - 60 ))
    echo "fuzz: stateful phase again, alone, for ${BUDGET} s (suites of up to ${SCENARIOS} scenarios of up to ${STEPS} steps, seed $(( ${FUZZ_SEED:-1} + 1 )), load average $(cut -d' ' -f1-3 /proc/loadavg))"
    PASS2=$(date +%s)
    set +e
    fuzz_pass stateful "$(( ${FUZZ_SEED:-1} + 1 ))" "${REPORT%.xml}-stateful.xml" "$LEFT" --max-time "$BUDGET" "$@"
    STATUS2=$?
    set -e
    echo "fuzz: stateful pass finished in $(( $(date +%s) - PASS2 )) s (exit ${STATUS2}, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    [ "$STATUS" = 0 ] && STATUS=$STATUS2
  fi
fi
REACH=0
"$VENV_BIN/python" tools/reliability/fuzz/stateful_reach.py "$OUT/openapi.json" "$OUT/stateful.json" "${STRICT_REACH[@]}" || REACH=$?
[ "$STATUS" = 0 ] && STATUS=$REACH
# Every 5xx stays a failure; beside it, what the machine's load was when it came (sigil_checks._record_server_error).
if [ -s "$OUT/stateful-5xx.jsonl" ]; then
  echo "fuzz: server errors, with the 1-minute load average when each was answered (load now: $(cut -d' ' -f1-3 /proc/loadavg)):"
  head -20 "$OUT/stateful-5xx.jsonl"
fi
# Kafka client noise (reconnects) is not a finding; anything else the services logged as an error is shown.
ERRORS=$(grep -h '"level":"error"' "$LOG_DIR"/*.log 2>/dev/null | grep -v kafkajs | cut -c1-400 | head -20 || true)
if [ -n "$ERRORS" ]; then
  echo "fuzz: errors logged by the services (first 20):"
  echo "$ERRORS"
fi
[ "$STATUS" = 124 ] && echo "fuzz: time box of ${TIMEBOX} s reached" >&2
exit "$STATUS"
