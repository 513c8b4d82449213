#!/usr/bin/env bash
# npm run test:chaos [-- --quick] [--cluster] [--only kill:contacts,restart:kafka,…] [--rate N] [--cpu-every seconds]
# (--cluster runs the private Kafka as a three-broker cluster unless SIGIL_RELIABILITY_KAFKA_BROKERS says otherwise)
# Faults under load against a private infrastructure instance (see ../infra-env.sh).
set -euo pipefail
cd "$(dirname "$0")/../../.."
case " $* " in *" --cluster "*) export SIGIL_RELIABILITY_KAFKA_BROKERS="${SIGIL_RELIABILITY_KAFKA_BROKERS:-3}" ;; esac
. tools/reliability/infra-env.sh
ensure_private_infra
ensure_built
exec node dist/tools/reliability/src/reliability-main.js chaos "$@"
