import { createTenant, TestStack } from '@sigil/testing';
import { run, serviceEnv } from '../../../tools/bench/src/scenarios/webhooks.scenario';

it('bench', async () => {
  const stack = await TestStack.start({ serviceEnv });
  try {
    const t = await createTenant(stack.gatewayUrl);
    const rows = await run({ gatewayUrl: stack.gatewayUrl, api: t.api, quick: process.env['BENCH_QUICK'] === '1' });
    console.log(JSON.stringify(rows, null, 1));
  } finally {
    await stack.close();
  }
}, 900000);
