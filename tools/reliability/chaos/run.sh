#!/usr/bin/env bash
# npm run test:chaos [-- --quick] [--only kill:contacts,restart:kafka,…] [--rate N]
# Faults under load against a private infrastructure instance (see ../infra-env.sh).
set -euo pipefail
cd "$(dirname "$0")/../../.."
. tools/reliability/infra-env.sh
ensure_private_infra
ensure_built
exec node dist/tools/reliability/src/reliability-main.js chaos "$@"
