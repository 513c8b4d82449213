# Sourced by the reliability suites: a private PostgreSQL/Redis/Kafka instance
# (tools/infra/infra.sh with its SIGIL_* overrides) on other ports and in its
# own directory, so faults and load never disturb anyone else's tests or the
# dev stack. Started (idempotently) by `ensure_private_infra`.
# SIGIL_RELIABILITY_KAFKA_BROKERS=3 makes its Kafka a three-node cluster.
export SIGIL_INFRA_DIR="${SIGIL_RELIABILITY_INFRA_DIR:-/tmp/sigil-chaos-infra}"
export SIGIL_PG_PORT="${SIGIL_RELIABILITY_PG_PORT:-15432}"
export SIGIL_REDIS_PORT="${SIGIL_RELIABILITY_REDIS_PORT:-16379}"
export SIGIL_KAFKA_PORT="${SIGIL_RELIABILITY_KAFKA_PORT:-19092}"
export SIGIL_KAFKA_BROKER_COUNT="${SIGIL_RELIABILITY_KAFKA_BROKERS:-1}"
# Node i of a cluster listens on SIGIL_KAFKA_PORT + 2(i-1) (tools/infra/infra.sh).
KAFKA_BROKERS=""
for ((_i = 0; _i < SIGIL_KAFKA_BROKER_COUNT; _i++)); do KAFKA_BROKERS+="${KAFKA_BROKERS:+,}127.0.0.1:$((SIGIL_KAFKA_PORT + 2 * _i))"; done
export KAFKA_BROKERS
export REDIS_URL="redis://127.0.0.1:${SIGIL_REDIS_PORT}"
export TEST_PG_ADMIN_URL="postgres://sigil:sigil@127.0.0.1:${SIGIL_PG_PORT}/postgres"

ensure_private_infra() {
  # The private Kafka's data is made for one node count; when the other is asked for (a
  # `--cluster` chaos run after a one-broker one, or back), start it afresh — it is this
  # instance's alone. The downloaded jars stay.
  local kafka_dir="$SIGIL_INFRA_DIR/kafka" had
  had="$({ tr -dc '0-9' <"$kafka_dir/nodes"; } 2>/dev/null || true)"
  if [[ -n "$had" && "$had" != "$SIGIL_KAFKA_BROKER_COUNT" ]]; then
    echo "reliability: the private Kafka in $kafka_dir has $had node(s), $SIGIL_KAFKA_BROKER_COUNT asked for: starting it afresh" >&2
    SIGIL_KAFKA_BROKER_COUNT="$had" bash tools/infra/infra.sh stop kafka >&2
    (cd "$kafka_dir" && rm -rf data logs node-* nodes port cluster.id formatted-by kafka.pid server.properties log4j2.properties log4j.properties)
  fi
  bash tools/infra/infra.sh up >&2
}

ensure_built() {
  if [ ! -f dist/tools/reliability/src/reliability-main.js ] || [ "${SIGIL_RELIABILITY_BUILD:-1}" = 1 ]; then npm run --silent build >&2; fi
}
