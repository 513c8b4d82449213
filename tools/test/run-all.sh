#!/usr/bin/env bash
# The whole test suite from a fresh clone: dependencies, infrastructure,
# build, type check, lint, the SDKs' generated code, unit, integration and end-to-end tests (on Kafka
# 4.4, and again on a Kafka 3.9 broker: the oldest supported line), a quick
# fuzz of the API, a quick chaos run, and the deployment manifests.
#
# What it starts only for itself (the Kafka 3.9 broker, the chaos run's private
# PostgreSQL/Redis/Kafka) it stops when it ends, pass or fail. The shared
# development infrastructure (`npm run infra`) stays up for the next run, and
# the last lines say so and how to stop it.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The oldest supported Kafka line, on its own ports and directory (3.9 cannot read 4.x data).
KAFKA39_VERSION="${SIGIL_KAFKA39_VERSION:-3.9.1}"
KAFKA39_PORT="${SIGIL_KAFKA39_PORT:-29092}"
KAFKA39_DIR="${SIGIL_KAFKA39_INFRA_DIR:-$PWD/.infra-kafka39}"
kafka39() { SIGIL_INFRA_DIR="$KAFKA39_DIR" SIGIL_KAFKA_PORT="$KAFKA39_PORT" SIGIL_KAFKA_VERSION="$KAFKA39_VERSION" SIGIL_KAFKA_BROKER_COUNT=1 bash tools/infra/infra.sh "$@"; }
# The chaos run's private instance (tools/reliability/infra-env.sh), in a subshell: its exports stay there.
chaos_infra() { (. tools/reliability/infra-env.sh && bash tools/infra/infra.sh "$@"); }

# Private instances already running before this run (someone's own chaos run) are theirs: left alone.
KAFKA39_WAS_UP=0; kafka39 status >/dev/null 2>&1 && KAFKA39_WAS_UP=1
CHAOS_WAS_UP=0; chaos_infra status >/dev/null 2>&1 && CHAOS_WAS_UP=1

finish() {
  local rc=$?
  trap - EXIT
  if ((KAFKA39_WAS_UP == 0)); then kafka39 stop kafka >/dev/null 2>&1 || echo "== could not stop the Kafka $KAFKA39_VERSION test broker (:$KAFKA39_PORT, $KAFKA39_DIR)" >&2; fi
  if ((CHAOS_WAS_UP == 0)); then chaos_infra down >/dev/null 2>&1 || echo "== could not stop the chaos run's private infrastructure" >&2; fi
  echo "== stopped what this run started for itself (Kafka $KAFKA39_VERSION broker :$KAFKA39_PORT, chaos infrastructure :${SIGIL_RELIABILITY_PG_PORT:-15432}/:${SIGIL_RELIABILITY_REDIS_PORT:-16379}/:${SIGIL_RELIABILITY_KAFKA_PORT:-19092})"
  echo "== kept running for the next run: PostgreSQL :${SIGIL_PG_PORT:-5432}, Redis :${SIGIL_REDIS_PORT:-6379}, Kafka :${SIGIL_KAFKA_PORT:-9092}, Redis Cluster :${SIGIL_REDIS_CLUSTER_PORT:-7000}-$((${SIGIL_REDIS_CLUSTER_PORT:-7000} + 2)) (npm run infra; data in .infra/)"
  echo "== stop them with: npm run infra -- down"
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash tools/setup/ensure-deps.sh
bash tools/infra/infra.sh up
echo "== build"; npm run build
echo "== typecheck (tests included)"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npm run --silent lint
echo "== SDKs: committed OpenAPI document and generated code match the gateway's code"; npm run --silent sdks:generate -- --check
echo "== unit"; npx jest --selectProjects unit --ci
echo "== integration"; npx jest --selectProjects integration --ci --maxWorkers=2
echo "== e2e"; npx jest --selectProjects e2e --ci --runInBand
echo "== e2e on Kafka $KAFKA39_VERSION (oldest supported line; private broker on :$KAFKA39_PORT)"
kafka39 start kafka
KAFKA_BROKERS="127.0.0.1:$KAFKA39_PORT" npx jest --selectProjects e2e --ci --runInBand
kafka39 stop kafka
echo "== SDKs against a live stack (TypeScript, then Python)"; npx jest --selectProjects sdk --ci --runInBand; npm run --silent test:sdk:python
echo "== fuzz (quick, schemathesis from the OpenAPI document)"; npm run --silent test:fuzz
echo "== chaos (quick: kill -9 contacts and stall a webhook receiver under load, then audit)"; npm run --silent test:chaos -- --quick
if [ -f tools/deploy-check/check.sh ]; then echo "== deploy manifests"; bash tools/deploy-check/check.sh; fi
echo "== all tests passed"
