#!/usr/bin/env bash
# Installs Debian's `chromium` package for the console's browser tests (driven by
# playwright-core through its executable path, so npm never downloads a browser).
# Idempotent: does nothing when a Chromium is already there. Prints its path.
set -euo pipefail
cd "$(dirname "$0")/../.."
find_chromium() { command -v chromium || command -v chromium-browser || true; }
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then echo "$CHROMIUM_PATH"; exit 0; fi
if [ -z "$(find_chromium)" ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "setup: Chromium is missing and apt-get is not available; install Chromium and set CHROMIUM_PATH" >&2; exit 1; }
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p .infra
  log=.infra/apt-chromium.log
  echo "setup: installing chromium via apt-get (log: $log)" >&2
  install() { as_root apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 chromium >>"$log" 2>&1; }
  if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then as_root apt-get update -qq >>"$log" 2>&1; fi
  install || { as_root apt-get update -qq >>"$log" 2>&1; install; } || { tail -n 20 "$log" >&2; exit 1; }
fi
find_chromium
