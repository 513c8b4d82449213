#!/usr/bin/env bash
# Offline validation of everything Sigil deploys with (npm run check:deploy):
#   1. deploy/base/kafka-topics/topics.yaml matches libs/contracts (generated);
#   2. kustomize renders deploy/overlays/{dev,prod}; every resource validates
#      against the Kubernetes schemas (strict) or a vendored CRD schema, and
#      Sigil's deployment rules hold (tools/deploy-check/validate.py);
#   3. docker-compose.yml loads and validates as `docker compose config` would
#      (compose-go, the loader inside Docker Compose; no engine needed);
#   4. the Dockerfile parses (BuildKit's parser), copies only files the build
#      context has, runs as non-root with a HEALTHCHECK, and knows every app's port;
#   5. the Grafana dashboard queries only metrics the code defines.
# Tools are installed once, pinned, into .infra/tools (git-ignored).
#
#   bash tools/deploy-check/check.sh                 # validate
#   bash tools/deploy-check/check.sh --write-topics  # regenerate topics.yaml from the contracts
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
HERE="$ROOT/tools/deploy-check"
TOOLS="$ROOT/.infra/tools"
BIN="$TOOLS/bin"
VENV="$TOOLS/venv"
OUT="$TOOLS/rendered"

KUSTOMIZE_VERSION=v5.7.1
KUBERNETES_VALIDATE_VERSION=1.37.0
JSONSCHEMA_VERSION=4.23.0
# Validate against the oldest Kubernetes we support and the newest schemas shipped.
KUBERNETES_VERSIONS=(1.30.0 1.37.0)
OVERLAYS=(dev prod)

log() { printf '[deploy-check] %s\n' "$*"; }
die() {
  printf '[deploy-check] FAILED: %s\n' "$*" >&2
  exit 1
}

install_tools() {
  mkdir -p "$BIN"
  if [[ "$("$BIN/kustomize" version 2>/dev/null || true)" != "$KUSTOMIZE_VERSION" ]]; then
    command -v go >/dev/null || die "go is needed to install kustomize"
    log "installing kustomize $KUSTOMIZE_VERSION"
    GOBIN="$BIN" GOTOOLCHAIN=local go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  fi
  local stamp="$VENV/.sigil-kubernetes-validate-$KUBERNETES_VALIDATE_VERSION-jsonschema-$JSONSCHEMA_VERSION"
  if [[ ! -f "$stamp" ]]; then
    log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "jsonschema==$JSONSCHEMA_VERSION" pyyaml
    touch "$stamp"
  fi
  # Rebuilt every run from their pinned go.mod (go caches the build, so this is cheap).
  log "building compose-config (compose-go) and dockerfile-check (BuildKit parser)"
  (cd "$HERE/compose-config" && GOTOOLCHAIN=local go build -o "$BIN/compose-config" .)
  (cd "$HERE/dockerfile-check" && GOTOOLCHAIN=local go build -o "$BIN/dockerfile-check" .)
}

build_topic_generator() {
  (cd "$ROOT" && npx tsc -p tools/deploy-check/tsconfig.json && npx tsc-alias -p tools/deploy-check/tsconfig.json)
}

topics() {
  local mode="$1"
  build_topic_generator
  (cd "$ROOT" && env -u SIGIL_KAFKA_NAMESPACE node "$TOOLS/deploy-check-dist/tools/deploy-check/src/generate-topics.js" \
    $mode deploy/base/kafka-topics/topics.yaml) || die "Kafka topics"
}

render_and_validate() {
  rm -rf "$OUT" && mkdir -p "$OUT"
  local files=() overlay
  for overlay in "${OVERLAYS[@]}"; do
    "$BIN/kustomize" build "$ROOT/deploy/overlays/$overlay" >"$OUT/$overlay.yaml" || die "kustomize build deploy/overlays/$overlay"
    files+=("$OUT/$overlay.yaml")
  done
  local versions=()
  for v in "${KUBERNETES_VERSIONS[@]}"; do versions+=(--kubernetes-version "$v"); done
  "$VENV/bin/python" "$HERE/validate.py" "${versions[@]}" "${files[@]}" || die "rendered manifests (in $OUT)"
}

validate_compose() {
  if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    (cd "$ROOT" && docker compose -f docker-compose.yml config --quiet) || die "docker compose config"
  fi
  "$BIN/compose-config" "$ROOT/docker-compose.yml" || die "docker-compose.yml"
}

check_dockerfile() {
  local app port
  for app in gateway keys contacts segments webhooks; do
    [[ -f "$ROOT/apps/$app/src/main.ts" ]] || die "Dockerfile builds $app, but apps/$app/src/main.ts is missing"
    port="$(grep -oE 'httpEnv\(([0-9]+)\)' "$ROOT/apps/$app/src/config.ts" | grep -oE '[0-9]+')"
    grep -q "$app: $port" "$ROOT/deploy/docker/healthcheck.js" ||
      die "deploy/docker/healthcheck.js does not know $app's port $port (apps/$app/src/config.ts)"
  done
  "$BIN/dockerfile-check" "$ROOT" || die "Dockerfile"
  log "Dockerfile: health check ports match apps/*/src/config.ts"
}

main() {
  case "${1:-}" in
    --write-topics)
      topics ""
      exit 0
      ;;
    "") ;;
    *) die "unknown argument $1 (use --write-topics or nothing)" ;;
  esac
  install_tools
  topics --check
  render_and_validate
  validate_compose
  check_dockerfile
  "$VENV/bin/python" "$HERE/check_dashboard.py" || die "Grafana dashboard"
  log "all deployment artefacts valid"
}

main "$@"
