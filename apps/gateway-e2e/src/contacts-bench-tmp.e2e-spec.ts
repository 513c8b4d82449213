import { createTenant, TestStack } from '@sigil/testing';
import { run } from '../../../tools/bench/src/scenarios/contacts.scenario';

it('bench', async () => {
  const stack = await TestStack.start({ services: ['keys', 'contacts', 'webhooks', 'gateway'] });
  try {
    const tenant = await createTenant(stack.gatewayUrl);
    const rows = await run({ gatewayUrl: stack.gatewayUrl, api: tenant.api, contactsDatabaseUrl: stack.databaseUrl('contacts') });
    console.log(JSON.stringify(rows, null, 1));
  } finally {
    await stack.close();
  }
}, 1800000);
