/**
 * TenantsService on a real PostgreSQL: plans belong to the operator (a plan
 * in the signup body is refused; every tenant starts on starter), and an
 * operator change of plan or custom limits is written with its event; keys,
 * verification and new tokens follow it.
 */
import type { DataSource } from 'typeorm';
import { KeyRpc, type RequestContext } from '@sigil/contracts';
import { hashSecret, verifyAccessToken } from '@sigil/platform';
import { rejection, TestDatabase, testPassword, uniqueEmail, validatedRequest } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { keysServices, signedUpTenant, type KeysServices } from '../test/keys-services';

let db: TestDatabase;
let ds: DataSource;
let services: KeysServices;
let sessions: KeysServices['sessions'];
let keys: KeysServices['keys'];
let tenants: KeysServices['tenants'];

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
  services = keysServices(ds);
  ({ sessions, keys, tenants } = services);
});

afterAll(async () => {
  await db?.drop();
});

/** Signs up (always starter) and, for another plan, moves the tenant there as the operator would. */
async function signup(plan: 'starter' | 'agency' = 'starter') {
  const tenant = await signedUpTenant(sessions);
  if (plan !== 'starter') await tenants.adminUpdate(tenant.account.tenant.id, { plan });
  return tenant;
}

async function newKey(ctx: RequestContext, body: Record<string, unknown> = {}) {
  const req = await validatedRequest(KeyRpc.createKey, { body: { name: 'k', environment: 'live', scopes: ['contacts:read'], ...body } });
  return keys.create(ctx, req.body);
}

describe('TenantsService (operator)', () => {
  it('refuses a plan in the signup body: every tenant starts on starter', async () => {
    const body = { email: uniqueEmail(), password: testPassword(), organization_name: 'Greedy', plan: 'agency' };
    expect(await rejection(validatedRequest(KeyRpc.signup, { body }))).toMatchObject({
      status: 400,
      details: [expect.objectContaining({ field: 'plan', code: 'unknown_field' })],
    });
  });

  it('changes the plan and custom limits, with an event; keys, verification and new tokens follow', async () => {
    const { account, password, ctx } = await signup('starter');
    const tenantId = account.tenant.id;
    const view = await tenants.adminUpdate(tenantId, { limits: { per_minute: 7, per_day: 70, max_keys: 3 } });
    expect(view).toMatchObject({
      plan: 'starter',
      custom_limits: { per_minute: 7, per_day: 70, max_keys: 3 },
      limits: { requests_per_minute: 7, requests_per_day: 70, max_active_keys: 3 },
    });
    const created = await newKey(ctx);
    await newKey(ctx);
    await newKey(ctx);
    expect(await rejection(newKey(ctx))).toMatchObject({ status: 403, code: 'plan_limit_exceeded', extra: { limit: 3 } });
    expect((await keys.verify(hashSecret(created.key))).tenant).toEqual({ id: tenantId, name: 'Keys Co', plan: 'starter', limits: view.limits });
    const token = await sessions.login({ email: account.user.email, password });
    expect(verifyAccessToken(token.access_token, services.config.JWT_SECRET)).toMatchObject({ plan: 'starter', lim: view.limits });

    const back = await tenants.adminUpdate(tenantId, { plan: 'pro', limits: null });
    expect(back).toMatchObject({ plan: 'pro', custom_limits: null, limits: { requests_per_minute: 500, max_active_keys: 10 } });
    const events = await ds.query(`SELECT envelope FROM outbox_events WHERE key = $1 AND type = 'tenant.plan_changed' ORDER BY seq`, [tenantId]);
    expect(events.map((e: { envelope: { data: unknown } }) => e.envelope.data)).toEqual([
      expect.objectContaining({
        plan: 'starter',
        custom_limits: { per_minute: 7, per_day: 70, max_keys: 3 },
        previous: { plan: 'starter', limits: expect.objectContaining({ max_active_keys: 2 }) },
      }),
      expect.objectContaining({ plan: 'pro', custom_limits: null, previous: { plan: 'starter', limits: view.limits } }),
    ]);
  });

  it('404 for an unknown or malformed tenant id', async () => {
    expect(await rejection(tenants.adminUpdate('ten_01ARZ3NDEKTSV4RRFFQ69G5FAV', { plan: 'pro' }))).toMatchObject({ status: 404 });
    expect(await rejection(tenants.adminUpdate("ten_x' OR 1=1", { plan: 'pro' }))).toMatchObject({ status: 404 });
  });
});
