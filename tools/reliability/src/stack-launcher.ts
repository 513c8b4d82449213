/**
 * `reliability-main.js stack --out <path>`: starts the whole platform
 * (every service its own process, fresh databases, a private Kafka
 * namespace) plus one tenant with a live `*` key, writes
 * `GATEWAY_URL=…` and `API_KEY=…` to the env file once ready, and keeps the
 * stack up until SIGTERM/SIGINT. The fuzz suite runs against it.
 */
import { writeFileSync } from 'node:fs';
import { createTenant, TestStack } from '@sigil/testing';

export async function main(argv: string[]): Promise<void> {
  const envFile = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !envFile) throw new Error('usage: stack --out <path>');
  const stack = await TestStack.start({
    // A fuzz sends thousands of requests from one IP with one key; limits would turn it into a test of 429s.
    serviceEnv: { gateway: { RATE_LIMIT_ENABLED: 'false' } },
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
