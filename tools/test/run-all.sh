#!/usr/bin/env bash
# The whole test suite from a fresh clone: dependencies, infrastructure,
# build, type check, lint, the SDKs' generated code, unit, integration and end-to-end tests, a quick
# fuzz of the API, a quick chaos run, and the deployment manifests.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/setup/ensure-deps.sh
bash tools/infra/infra.sh up
echo "== build"; npm run build
echo "== typecheck (tests included)"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npm run --silent lint
echo "== SDKs: committed OpenAPI document and generated code match the gateway's code"; bash sdks/generate.sh --check
echo "== unit"; npx jest --selectProjects unit --ci
echo "== integration"; npx jest --selectProjects integration --ci --maxWorkers=2
echo "== e2e"; npx jest --selectProjects e2e --ci --runInBand
echo "== fuzz (quick, schemathesis from the OpenAPI document)"; npm run --silent test:fuzz
echo "== chaos (quick: kill -9 contacts and stall a webhook receiver under load, then audit)"; npm run --silent test:chaos -- --quick
if [ -f tools/deploy-check/check.sh ]; then echo "== deploy manifests"; bash tools/deploy-check/check.sh; fi
echo "== all tests passed"
