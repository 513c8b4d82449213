#!/usr/bin/env bash
# The Python SDK's tool chain (the pinned generator, its formatter, the SDK's
# runtime dependencies and pytest) in the git-ignored venv .infra/venv-sdk.
# Idempotent: reinstalls only when requirements-dev.txt changed. Prints the
# venv's bin directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.infra/venv-sdk
REQ=sdks/python/requirements-dev.txt
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" >&2; fi
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  echo "$WANT" >"$STAMP"
fi
echo "$PWD/$VENV/bin"
