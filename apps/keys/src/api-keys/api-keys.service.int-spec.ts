/**
 * ApiKeysService on a real PostgreSQL (no Kafka, no HTTP), requests validated
 * by their contract as the handler does: the plan's limit of active keys,
 * canonical CIDRs, paging, rotation with a grace period and revocation as the
 * gateway's verification sees them, tenant isolation and no privilege
 * escalation (a key cannot mint a key stronger than itself).
 */
import type { DataSource } from 'typeorm';
import { KeyRpc, type RequestContext } from '@sigil/contracts';
import { hashSecret } from '@sigil/platform';
import { rejection, TestDatabase, validatedRequest } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { keysServices, signedUpTenant, type KeysServices } from '../test/keys-services';

let db: TestDatabase;
let ds: DataSource;
let services: KeysServices;

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
  services = keysServices(ds);
});

afterAll(async () => {
  await db?.drop();
});

/** Signs up (always starter) and, for another plan, moves the tenant there as the operator would. */
async function signup(plan: 'starter' | 'agency' = 'starter') {
  const tenant = await signedUpTenant(services.sessions);
  if (plan !== 'starter') await services.tenants.adminUpdate(tenant.account.tenant.id, { plan });
  return tenant;
}

async function newKey(ctx: RequestContext, body: Record<string, unknown> = {}) {
  const req = await validatedRequest(KeyRpc.createKey, { body: { name: 'k', environment: 'live', scopes: ['contacts:read'], ...body } });
  return services.keys.create(ctx, req.body);
}

describe('ApiKeysService', () => {
  it('creates a key whose secret verifies, and holds the plan limit of active keys', async () => {
    const { ctx } = await signup('starter');
    const created = await newKey(ctx, { scopes: ['contacts:write', 'contacts:read', 'contacts:read'] });
    expect(created).toMatchObject({ environment: 'live', scopes: ['contacts:read', 'contacts:write'], status: 'active' });
    expect(await services.keys.verify(hashSecret(created.key))).toMatchObject({ key_id: created.id, tenant: { id: ctx.tenant_id }, state: 'active' });
    await newKey(ctx);
    expect(await rejection(newKey(ctx))).toMatchObject({ status: 403, code: 'plan_limit_exceeded' });
  });

  it('keeps allowed_cidrs canonical, gives them to the gateway in verification, and changes or clears them', async () => {
    const { ctx } = await signup('agency');
    const created = await newKey(ctx, { allowed_cidrs: ['2001:DB8::/32', '203.0.113.0/24', '203.0.113.0/24'] });
    expect(created.allowed_cidrs).toEqual(['2001:db8::/32', '203.0.113.0/24']);
    expect(await services.keys.verify(hashSecret(created.key))).toMatchObject({ allowed_cidrs: ['2001:db8::/32', '203.0.113.0/24'] });
    const body = (await validatedRequest(KeyRpc.updateKey, { params: { id: created.id }, body: { allowed_cidrs: ['::ffff:10.0.0.0/104'] } })).body;
    expect((await services.keys.update(ctx, created.id, body)).allowed_cidrs).toEqual(['10.0.0.0/8']);
    expect((await services.keys.update(ctx, created.id, { name: 'renamed' })).allowed_cidrs).toEqual(['10.0.0.0/8']);
    expect((await services.keys.update(ctx, created.id, { allowed_cidrs: null })).allowed_cidrs).toBeNull();
    expect((await services.keys.verify(hashSecret(created.key))).allowed_cidrs).toBeNull();
  });

  it('pages with page+limit and with a cursor; a forged cursor is a 400', async () => {
    const { ctx } = await signup('agency');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await newKey(ctx, { name: `k${i}` })).id);
    const first = await services.keys.list(ctx, { limit: 2 });
    expect(first.data.map((k) => k.id)).toEqual(ids.slice(0, 2));
    expect(first.page).toMatchObject({ page: 1, limit: 2, total: 3, has_more: true });
    const next = await services.keys.list(ctx, { limit: 2, cursor: first.page.next_cursor! });
    expect(next.data.map((k) => k.id)).toEqual([ids[2]]);
    expect(next.page).toMatchObject({ has_more: false, next_cursor: null });
    expect((await services.keys.list(ctx, { limit: 2, page: 2 })).data.map((k) => k.id)).toEqual([ids[2]]);
    expect(await rejection(services.keys.list(ctx, { limit: 2, cursor: 'forged' }))).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(first.data)).not.toContain('"key"');
  });

  it('rotates with a grace period (old secret works until it ends) and revokes (verification says so)', async () => {
    const { ctx } = await signup('agency');
    const created = await newKey(ctx);
    const rotated = await services.keys.rotate(ctx, created.id, { grace_period_seconds: 3600 });
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.previous_key_expires_at).toBeTruthy();
    const old = await services.keys.verify(hashSecret(created.key));
    expect(old).toMatchObject({ state: 'active', expires_at: rotated.previous_key_expires_at });
    expect(await services.keys.verify(hashSecret(rotated.key))).toMatchObject({ state: 'active', expires_at: null });

    expect(await services.keys.revoke(ctx, created.id)).toMatchObject({ status: 'revoked' });
    expect(await services.keys.verify(hashSecret(rotated.key))).toMatchObject({ state: 'revoked' });
    expect(await rejection(services.keys.update(ctx, created.id, { name: 'again' }))).toMatchObject({ status: 409 });
    expect(await rejection(services.keys.verify(hashSecret('sk_live_unknown')))).toMatchObject({ status: 404 });
  });

  it("answers 404 for another tenant's key, and a key cannot mint a key stronger than itself", async () => {
    const { ctx } = await signup('agency');
    const { ctx: intruder } = await signup('agency');
    const created = await newKey(ctx);
    expect((await rejection(services.keys.get(intruder, created.id))).status).toBe(404);
    expect((await rejection(services.keys.revoke(intruder, created.id))).status).toBe(404);
    expect((await services.keys.get(ctx, created.id)).status).toBe('active');

    const asKey: RequestContext = { ...ctx, principal: { kind: 'api_key', id: created.id, scopes: ['keys:write', 'contacts:read'] } };
    expect(await rejection(newKey(asKey, { scopes: ['contacts:write'] }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(await rejection(newKey(asKey, { environment: 'test' }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(await newKey(asKey, { scopes: ['contacts:read'] })).toMatchObject({ scopes: ['contacts:read'] });
  });

  it('an API key manages its own environment only: a test key lists and finds test keys, 404 for live ones', async () => {
    const { ctx } = await signup('agency');
    const live = await newKey(ctx, { scopes: ['keys:read', 'keys:write'] });
    const test = await newKey(ctx, { environment: 'test', scopes: ['keys:read', 'keys:write'] });
    const asTestKey: RequestContext = { ...ctx, mode: 'test', principal: { kind: 'api_key', id: test.id, scopes: ['keys:read', 'keys:write'] } };
    const listed = await services.keys.list(asTestKey, { limit: 50 });
    expect(listed.data.map((k) => k.id)).toEqual([test.id]);
    expect(listed.page).toMatchObject({ total: 1 });
    expect(await rejection(services.keys.get(asTestKey, live.id))).toMatchObject({ status: 404 });
    expect(await rejection(services.keys.revoke(asTestKey, live.id))).toMatchObject({ status: 404 });
    // A member's session sees both environments.
    expect((await services.keys.list(ctx, { limit: 50 })).page).toMatchObject({ total: 2 });
  });

  it('revoking twice answers the revoked key and emits api_key.revoked once; a revoked key cannot be rotated', async () => {
    const { ctx } = await signup('agency');
    const created = await newKey(ctx);
    const first = await services.keys.revoke(ctx, created.id);
    expect(await services.keys.revoke(ctx, created.id)).toEqual(first);
    expect(await rejection(services.keys.rotate(ctx, created.id, {}))).toMatchObject({ status: 409 });
    const revoked = await ds.query(`SELECT 1 FROM outbox_events WHERE key = $1 AND type = 'api_key.revoked'`, [created.id]);
    expect(revoked).toHaveLength(1);
  });
});
