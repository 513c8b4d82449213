/**
 * TenantsRepository on real PostgreSQL: a plan change and a settings change
 * reach their tenant only, custom limits round-trip as JSON, and the mappers
 * give the operator's and the tenant's views.
 */
import type { DataSource } from 'typeorm';
import { newId } from '@sigil/platform';
import { TestDatabase } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { tenantRow } from '../test/keys-services';
import { adminTenantView, tenantSettingsView, TenantsRepository } from './tenants.repository';

let db: TestDatabase;
let ds: DataSource;
const tenants = new TenantsRepository();

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const tenant = (name: string) => tenantRow(ds.manager, name);

it('changes the plan and custom limits of one tenant only; null custom limits mean the plan’s own', async () => {
  const mine = await tenant('Mine');
  const other = await tenant('Other');
  await tenants.setPlan(ds.manager, mine, 'pro', { per_minute: 7, per_day: 70, max_keys: 3 });

  const row = (await tenants.find(ds.manager, mine))!;
  expect(row).toEqual({ id: mine, name: 'Mine', plan: 'pro', custom_limits: { per_minute: 7, per_day: 70, max_keys: 3 } });
  expect(adminTenantView(row).limits).toMatchObject({ requests_per_minute: 7, requests_per_day: 70, max_active_keys: 3 });
  expect(await tenants.find(ds.manager, other)).toEqual({ id: other, name: 'Other', plan: 'starter', custom_limits: null });

  await tenants.setPlan(ds.manager, mine, 'pro', null);
  expect(adminTenantView((await tenants.find(ds.manager, mine))!).limits).toMatchObject({ requests_per_minute: 500, max_active_keys: 10 });
  expect(await tenants.find(ds.manager, newId('ten'))).toBeUndefined();
});

it('changes the leaked-key policy of one tenant only, stamping when', async () => {
  const mine = await tenant('Mine');
  const other = await tenant('Other');
  expect(tenantSettingsView((await tenants.settings(ds.manager, mine))!)).toEqual({ leaked_key_policy: 'revoke', updated_at: null });

  const changed = (await tenants.setLeakedKeyPolicy(ds.manager, mine, 'notify'))!;
  expect(changed).toMatchObject({ leaked_key_policy: 'notify', settings_updated_at: expect.any(Date) });
  expect(await tenants.settings(ds.manager, mine)).toEqual(changed);
  expect(await tenants.settings(ds.manager, other)).toEqual({ leaked_key_policy: 'revoke', settings_updated_at: null });
  expect(await tenants.setLeakedKeyPolicy(ds.manager, newId('ten'), 'notify')).toBeUndefined();
});
