/**
 * `reliability-main.js stack --out <path>`: starts the whole platform
 * (every service its own process, fresh databases, a private Kafka
 * namespace) plus one tenant with a live `*` key, writes
 * `GATEWAY_URL=…` and `API_KEY=…` to the env file once ready, and keeps the
 * stack up until SIGTERM/SIGINT. The fuzz suite runs against it.
 * `--rate-limits` keeps the gateway's limits on (the fuzz turns them off);
 * `--local-webhooks` lets webhooks reach receivers on 127.0.0.1 over HTTP
 * (the Python SDK's tests, sdks/python/tests/run.sh).
 * `--single-attempt-webhooks` gives a delivery one attempt and no retry
 * schedule (an endpoint's own schedule still applies), so that a failed
 * delivery is `failed` at once and can be retried through the API: the
 * fuzz's stateful phase chains a test delivery to its retry, and its
 * generated URLs do not resolve (no public DNS here), so under the default
 * schedule every delivery would stay `pending` (a 409 to a retry) for hours.
 */
import { writeFileSync } from 'node:fs';
import { createTenant, TestStack } from '@sigil/testing';

export async function main(argv: string[]): Promise<void> {
  const envFile = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !envFile) throw new Error('usage: stack --out <path>');
  const stack = await TestStack.start({
    serviceEnv: {
      // A fuzz sends thousands of requests from one IP with one key; limits would turn it into a test of 429s.
      gateway: argv.includes('--rate-limits') ? {} : { RATE_LIMIT_ENABLED: 'false' },
      webhooks: {
        ...(argv.includes('--local-webhooks') ? { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8', WEBHOOK_RETRY_JITTER: '0' } : {}),
        ...(argv.includes('--single-attempt-webhooks') ? { WEBHOOK_RETRY_SCHEDULE: '' } : {}),
      },
    },
  });
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  try {
    const tenant = await createTenant(stack.gatewayUrl);
    writeFileSync(envFile, `GATEWAY_URL=${stack.gatewayUrl}\nAPI_KEY=${tenant.apiKey}\nLOG_DIR=${stack.logDir}\n`);
    console.log(`stack ready at ${stack.gatewayUrl} (logs in ${stack.logDir})`);
    await stopped;
  } finally {
    await stack.close();
  }
}
