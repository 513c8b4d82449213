#!/usr/bin/env bash
# The Python side of the reliability suites (schemathesis for the fuzz,
# matplotlib for the soak plot) in a git-ignored venv under .infra/venv.
# Idempotent: installs only what is missing. Prints the venv's bin directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.infra/venv
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" >&2; fi
if ! "$VENV/bin/python" -c 'import schemathesis, matplotlib, hypothesis; assert tuple(map(int, hypothesis.__version__.split(".")[:2])) < (6, 125)' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=3.39,<4' 'hypothesis>=6.108,<6.125' 'matplotlib>=3.8,<4' >&2
fi
echo "$PWD/$VENV/bin"
