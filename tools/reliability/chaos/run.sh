#!/usr/bin/env bash
# npm run test:chaos [-- --quick] [--cluster] [--only kill:contacts,restart:kafka,…] [--rate N]
# (--cluster: set SIGIL_RELIABILITY_KAFKA_BROKERS=3 for a three-broker private Kafka)
# Faults under load against a private infrastructure instance (see ../infra-env.sh).
set -euo pipefail
cd "$(dirname "$0")/../../.."
. tools/reliability/infra-env.sh
ensure_private_infra
ensure_built
exec node dist/tools/reliability/src/reliability-main.js chaos "$@"
