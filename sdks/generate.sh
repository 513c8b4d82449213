#!/usr/bin/env bash
# sdks/generate.sh [--check]
# Writes sdks/openapi.json from the gateway's code (the document it serves at
# /v1/openapi.json; needs `npm run build`) and regenerates the low-level
# layer of both SDKs from it: sdks/typescript/src/generated (openapi-typescript)
# and sdks/python/sigil/generated (openapi-python-client, pinned in
# sdks/python/requirements-dev.txt). Never edit those by hand.
# --check (CI): generates into a temporary copy and fails, showing the
# difference, when the committed document or SDK code is not what the code
# generates today.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
[ -f dist/apps/gateway/src/openapi/write-openapi.js ] || npm run --silent build
VENV_BIN="$(bash sdks/python/venv.sh)"
if [ "$CHECK" = 1 ]; then
  OUT="$(mktemp -d /tmp/sigil-sdks.XXXXXX)"
  trap 'rm -rf "$OUT"' EXIT
  mkdir -p "$OUT/typescript/src/generated" "$OUT/python/sigil"
  # The formatter reads the project's settings, as it does in the real tree.
  cp sdks/python/pyproject.toml "$OUT/python/"
else
  OUT=sdks
fi
node dist/apps/gateway/src/openapi/write-openapi.js "$OUT/openapi.json"
# The generators get the document with two schemas opened up to any JSON value (`unknown` / `Any`, the same
# on the wire): the recursive `JsonValue` (any JSON without U+0000), which openapi-python-client cannot follow
# and openapi-typescript turns into a self-referencing type, and the segment rules (`x-open-in-sdk`), which the
# document describes by the forms valid whatever the tenant's data, narrower than what clients may send.
# Rules that only validate (`not`, `if`/`then`/`else`, and an `anyOf`/`oneOf` beside a node's own `type` or
# `properties`: "a column maps to email", "options only for select fields") are left out too: the server
# checks them, and generators would turn them into unions of look-alike types.
SDK_DOC="$(mktemp /tmp/sigil-sdk-openapi.XXXXXX.json)"
node -e '
  const fs = require("fs");
  const RULES = new Set(["not", "if", "then", "else"]);
  const rule = (n, k) => RULES.has(k) || ((k === "anyOf" || k === "oneOf") && ("type" in n || "properties" in n));
  const open = (n) => (Array.isArray(n) ? n.map(open) : n && typeof n === "object"
    ? (n.$ref === "#/components/schemas/JsonValue" || n["x-open-in-sdk"] ? {} : Object.fromEntries(Object.entries(n).filter(([k]) => !rule(n, k)).map(([k, v]) => [k, open(v)])))
    : n);
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  delete doc.components.schemas.JsonValue;
  fs.writeFileSync(process.argv[2], JSON.stringify(open(doc)));
' "$OUT/openapi.json" "$SDK_DOC"
# --root-types: every schema is also exported by its name (`Contact`), for the facade's users.
TS_FLAGS=(--root-types --root-types-no-schema-prefix)
npx --no-install openapi-typescript "$SDK_DOC" "${TS_FLAGS[@]}" -o "$OUT/typescript/src/generated/openapi.ts" >/dev/null 2>&1 ||
  npx --no-install openapi-typescript "$SDK_DOC" "${TS_FLAGS[@]}" -o "$OUT/typescript/src/generated/openapi.ts"
PATH="$VENV_BIN:$PATH" "$VENV_BIN/openapi-python-client" generate --path "$SDK_DOC" --meta none \
  --output-path "$OUT/python/sigil/generated" --config sdks/python/generator.yml --overwrite >/dev/null
rm -f "$SDK_DOC"
find "$OUT/python/sigil/generated" -name __pycache__ -prune -exec rm -rf {} +
if [ "$CHECK" = 1 ]; then
  status=0
  diff -u sdks/openapi.json "$OUT/openapi.json" || status=1
  diff -ru -x __pycache__ sdks/typescript/src/generated "$OUT/typescript/src/generated" || status=1
  diff -ru -x __pycache__ sdks/python/sigil/generated "$OUT/python/sigil/generated" || status=1
  if [ "$status" != 0 ]; then
    echo "sdks: the committed OpenAPI document or generated SDK code differs from what the code generates; run bash sdks/generate.sh and commit" >&2
    exit 1
  fi
  echo "sdks: document and generated SDK code are up to date"
fi
