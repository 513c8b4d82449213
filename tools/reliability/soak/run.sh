#!/usr/bin/env bash
# npm run test:soak [-- --minutes 30] [--rate 100]
# Steady load for a long time against a private infrastructure instance; CSV + PNG into docs/.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. tools/reliability/infra-env.sh
ensure_private_infra
ensure_built
bash tools/reliability/venv.sh >/dev/null
exec node dist/tools/reliability/src/reliability-main.js soak "$@"
