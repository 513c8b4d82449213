# Sourced by scripts that need a whole throw-away stack (the fuzz, the Python
# SDK's tests): `start_stack <tmp dir> [launcher flags]` starts every service
# as its own process with a tenant and a live `*` key
# (reliability-main.js stack), waits until it is ready, exports GATEWAY_URL,
# API_KEY and LOG_DIR, and stops it when the calling script exits.
start_stack() {
  local out="$1"; shift
  [ -f dist/tools/reliability/src/reliability-main.js ] || npm run --silent build
  node dist/tools/reliability/src/reliability-main.js stack --out "$out/stack.env" "$@" >"$out/stack.log" 2>&1 &
  STACK_PID=$!
  trap 'kill -TERM "$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 180); do
    [ -f "$out/stack.env" ] && break
    kill -0 "$STACK_PID" 2>/dev/null || { cat "$out/stack.log"; echo "stack: did not start" >&2; return 1; }
    sleep 1
  done
  [ -f "$out/stack.env" ] || { cat "$out/stack.log"; echo "stack: not ready in 180 s" >&2; return 1; }
  set -a
  # shellcheck disable=SC1091
  . "$out/stack.env"
  set +a
}
