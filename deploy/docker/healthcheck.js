// Container HEALTHCHECK: the app's `/health/live` on its port (PORT, or the app's default).
const DEFAULT_PORTS = { gateway: 3000, keys: 3001, contacts: 3002, segments: 3003, webhooks: 3004 };
const port = process.env.PORT || DEFAULT_PORTS[process.env.SIGIL_APP] || 3000;
fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
