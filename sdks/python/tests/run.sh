#!/usr/bin/env bash
# npm run test:sdk:python [-- pytest args]
# The Python SDK's tests against a live stack: starts every service as its
# own process (fresh databases, a private Kafka namespace, rate limits on,
# webhooks allowed to reach 127.0.0.1), creates a tenant with a live `*` key,
# and runs pytest in the SDK's venv with SIGIL_BASE_URL/SIGIL_API_KEY set.
set -euo pipefail
cd "$(dirname "$0")/../../.."
VENV_BIN="$(bash sdks/python/venv.sh)"
OUT="$(mktemp -d /tmp/sigil-sdk-python.XXXXXX)"
. tools/reliability/stack.sh
start_stack "$OUT" --rate-limits --local-webhooks
cd sdks/python
SIGIL_BASE_URL="$GATEWAY_URL" SIGIL_API_KEY="$API_KEY" PYTHONDONTWRITEBYTECODE=1 "$VENV_BIN/python" -m pytest -p no:cacheprovider -q "$@"
