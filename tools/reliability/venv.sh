#!/usr/bin/env bash
# The Python side of the reliability suites (schemathesis for the fuzz,
# matplotlib for the soak plot) in a git-ignored venv under .infra/venv.
# Idempotent: installs only what is missing. Prints the venv's bin directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.infra/venv
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" >&2; fi
# schemathesis 4.x (all phases: examples, coverage, fuzzing, stateful; its default checks).
if ! "$VENV/bin/python" -c 'import schemathesis, matplotlib; assert schemathesis.SCHEMATHESIS_VERSION.split(".")[0] == "4" and tuple(map(int, schemathesis.SCHEMATHESIS_VERSION.split(".")[:2])) >= (4, 32)' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5' 'matplotlib>=3.8,<4' >&2
fi
echo "$PWD/$VENV/bin"
