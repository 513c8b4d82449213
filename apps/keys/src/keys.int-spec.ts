/**
 * The keys service's use cases on a real PostgreSQL (no Kafka, no HTTP): the
 * services with their real SQL, requests validated by their contract as the
 * handlers do. Signup and sessions (rotation, reuse detection, logout), and
 * API keys (plan limit, paging, rotation with a grace period, revocation as
 * the gateway's verification sees it, tenant isolation, no privilege escalation).
 */
import type { DataSource } from 'typeorm';
import { KeyRpc, type RequestContext, type SignupResult } from '@sigil/contracts';
import { createDataSource, hashSecret, newId, OutboxWriter, runMigrationsLocked } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase, rejection, testPassword, uniqueEmail, validatedRequest } from '@sigil/testing';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { KeysConfigSchema } from './config';
import { KEYS_MIGRATIONS } from './migrations';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { TenantsRepository } from './tenants/tenants.repository';
import { TenantsService } from './tenants/tenants.service';
import { MembersService } from './members/members.service';
import { verifyAccessToken } from '@sigil/platform';

let url: string;
let ds: DataSource;
let sessions: SessionsService;
let keys: ApiKeysService;
let tenants: TenantsService;
let members: MembersService;

beforeAll(async () => {
  url = await createTestDatabase('keys');
  ds = await createDataSource({ url, poolSize: 5, entities: [], migrations: KEYS_MIGRATIONS, service: 'keys' }).initialize();
  await runMigrationsLocked(ds, 'keys');
  sessions = new SessionsService(ds, new OutboxWriter(), KeysConfigSchema.parse({ DATABASE_URL: url }), new SessionsRepository());
  keys = new ApiKeysService(ds, new OutboxWriter(), new ApiKeysRepository(), new TenantsRepository());
  tenants = new TenantsService(ds, new OutboxWriter());
  members = new MembersService(ds, new OutboxWriter(), sessions, KeysConfigSchema.parse({ DATABASE_URL: url }));
});

afterAll(async () => {
  await ds?.destroy();
  if (url) await dropTestDatabase(url);
});

/** Signs up (always starter) and, for another plan, moves the tenant there as the operator would. */
async function signup(plan: 'starter' | 'agency' = 'starter'): Promise<{ account: SignupResult; password: string; ctx: RequestContext }> {
  const password = testPassword();
  const { body } = await validatedRequest(KeyRpc.signup, { body: { email: uniqueEmail(), password, organization_name: 'Keys Co' } });
  const account = await sessions.signup(body);
  if (plan !== 'starter') await tenants.adminUpdate(account.tenant.id, { plan });
  const ctx: RequestContext = {
    tenant_id: account.tenant.id,
    mode: 'live',
    request_id: newId('req'),
    principal: { kind: 'user', id: account.user.id, scopes: ['*'] },
  };
  return { account, password, ctx };
}

async function newKey(ctx: RequestContext, body: Record<string, unknown> = {}) {
  const req = await validatedRequest(KeyRpc.createKey, { body: { name: 'k', environment: 'live', scopes: ['contacts:read'], ...body } });
  return keys.create(ctx, req.body);
}

describe('SessionsService', () => {
  it('signs up once per email (any case), logs in, and refuses a wrong password', async () => {
    const { account, password } = await signup();
    expect(account).toMatchObject({ token_type: 'Bearer', tenant: { plan: 'starter' }, user: { role: 'owner' } });
    const again = await validatedRequest(KeyRpc.signup, { body: { email: account.user.email.toUpperCase(), password, organization_name: 'Twice' } });
    expect((await rejection(sessions.signup(again.body))).status).toBe(409);
    expect(await sessions.login({ email: account.user.email, password })).toMatchObject({ token_type: 'Bearer' });
    expect(await rejection(sessions.login({ email: account.user.email, password: `${password}x` }))).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('rotates refresh tokens; reusing an old one revokes the whole session; logout revokes', async () => {
    const { account } = await signup();
    const second = await sessions.refresh({ refresh_token: account.refresh_token });
    expect(second.refresh_token).not.toBe(account.refresh_token);
    expect(await rejection(sessions.refresh({ refresh_token: account.refresh_token }))).toMatchObject({ status: 401, code: 'invalid_token' });
    // The reuse revoked the family: the token handed out by the rotation is dead too.
    expect((await rejection(sessions.refresh({ refresh_token: second.refresh_token }))).status).toBe(401);

    const { account: other, password } = await signup();
    const fresh = await sessions.login({ email: other.user.email, password });
    expect(await sessions.logout({ refresh_token: fresh.refresh_token })).toEqual({ revoked: true });
    expect((await rejection(sessions.refresh({ refresh_token: fresh.refresh_token }))).status).toBe(401);
    expect(await sessions.logout({ refresh_token: 'not-a-refresh-token' })).toEqual({ revoked: false });
  });
});

describe('ApiKeysService', () => {
  it('creates a key whose secret verifies, and holds the plan limit of active keys', async () => {
    const { ctx } = await signup('starter');
    const created = await newKey(ctx, { scopes: ['contacts:write', 'contacts:read', 'contacts:read'] });
    expect(created).toMatchObject({ environment: 'live', scopes: ['contacts:read', 'contacts:write'], status: 'active' });
    expect(await keys.verify(hashSecret(created.key))).toMatchObject({ key_id: created.id, tenant: { id: ctx.tenant_id }, state: 'active' });
    await newKey(ctx);
    expect(await rejection(newKey(ctx))).toMatchObject({ status: 403, code: 'plan_limit_exceeded' });
  });

  it('keeps allowed_cidrs canonical, gives them to the gateway in verification, and changes or clears them', async () => {
    const { ctx } = await signup('agency');
    const created = await newKey(ctx, { allowed_cidrs: ['2001:DB8::/32', '203.0.113.0/24', '203.0.113.0/24'] });
    expect(created.allowed_cidrs).toEqual(['2001:db8::/32', '203.0.113.0/24']);
    expect(await keys.verify(hashSecret(created.key))).toMatchObject({ allowed_cidrs: ['2001:db8::/32', '203.0.113.0/24'] });
    const body = (await validatedRequest(KeyRpc.updateKey, { params: { id: created.id }, body: { allowed_cidrs: ['::ffff:10.0.0.0/104'] } })).body;
    expect((await keys.update(ctx, created.id, body)).allowed_cidrs).toEqual(['10.0.0.0/8']);
    expect((await keys.update(ctx, created.id, { name: 'renamed' })).allowed_cidrs).toEqual(['10.0.0.0/8']);
    expect((await keys.update(ctx, created.id, { allowed_cidrs: null })).allowed_cidrs).toBeNull();
    expect((await keys.verify(hashSecret(created.key))).allowed_cidrs).toBeNull();
  });

  it('pages with page+limit and with a cursor; a forged cursor is a 400', async () => {
    const { ctx } = await signup('agency');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await newKey(ctx, { name: `k${i}` })).id);
    const first = await keys.list(ctx, { limit: 2 });
    expect(first.data.map((k) => k.id)).toEqual(ids.slice(0, 2));
    expect(first.page).toMatchObject({ page: 1, limit: 2, total: 3, has_more: true });
    const next = await keys.list(ctx, { limit: 2, cursor: first.page.next_cursor! });
    expect(next.data.map((k) => k.id)).toEqual([ids[2]]);
    expect(next.page).toMatchObject({ has_more: false, next_cursor: null });
    expect((await keys.list(ctx, { limit: 2, page: 2 })).data.map((k) => k.id)).toEqual([ids[2]]);
    expect(await rejection(keys.list(ctx, { limit: 2, cursor: 'forged' }))).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(first.data)).not.toContain('"key"');
  });

  it('rotates with a grace period (old secret works until it ends) and revokes (verification says so)', async () => {
    const { ctx } = await signup('agency');
    const created = await newKey(ctx);
    const rotated = await keys.rotate(ctx, created.id, { grace_period_seconds: 3600 });
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.previous_key_expires_at).toBeTruthy();
    const old = await keys.verify(hashSecret(created.key));
    expect(old).toMatchObject({ state: 'active', expires_at: rotated.previous_key_expires_at });
    expect(await keys.verify(hashSecret(rotated.key))).toMatchObject({ state: 'active', expires_at: null });

    expect(await keys.revoke(ctx, created.id)).toMatchObject({ status: 'revoked' });
    expect(await keys.verify(hashSecret(rotated.key))).toMatchObject({ state: 'revoked' });
    expect(await rejection(keys.update(ctx, created.id, { name: 'again' }))).toMatchObject({ status: 409 });
    expect(await rejection(keys.verify(hashSecret('sk_live_unknown')))).toMatchObject({ status: 404 });
  });

  it("answers 404 for another tenant's key, and a key cannot mint a key stronger than itself", async () => {
    const { ctx } = await signup('agency');
    const { ctx: intruder } = await signup('agency');
    const created = await newKey(ctx);
    expect((await rejection(keys.get(intruder, created.id))).status).toBe(404);
    expect((await rejection(keys.revoke(intruder, created.id))).status).toBe(404);
    expect((await keys.get(ctx, created.id)).status).toBe('active');

    const asKey: RequestContext = { ...ctx, principal: { kind: 'api_key', id: created.id, scopes: ['keys:write', 'contacts:read'] } };
    expect(await rejection(newKey(asKey, { scopes: ['contacts:write'] }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(await rejection(newKey(asKey, { environment: 'test' }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(await newKey(asKey, { scopes: ['contacts:read'] })).toMatchObject({ scopes: ['contacts:read'] });
  });
});

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
    expect(verifyAccessToken(token.access_token, KeysConfigSchema.parse({}).JWT_SECRET)).toMatchObject({ plan: 'starter', lim: view.limits });

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

describe('MembersService', () => {
  it('refuses an expired invitation with invitation_expired, and writes nothing', async () => {
    const { ctx } = await signup();
    const inv = await members.invite(ctx, { email: uniqueEmail(), role: 'viewer' });
    await ds.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [inv.id]);
    expect(await rejection(members.accept({ token: inv.token, password: testPassword() }))).toMatchObject({ status: 400, code: 'invitation_expired' });
    expect(await ds.query(`SELECT 1 FROM users WHERE lower(email) = $1`, [inv.email])).toHaveLength(0);
  });

  it('removal revokes the refresh tokens of that tenant only, and emits member.removed', async () => {
    const { ctx: a } = await signup();
    const { account: b, ctx: bCtx } = await signup();
    const email = uniqueEmail();
    const password = testPassword();
    const inA = await members.accept({ token: (await members.invite(a, { email, role: 'developer' })).token, password });
    const inB = await members.accept({ token: (await members.invite(bCtx, { email, role: 'viewer' })).token, password });
    expect(inA.user.id).toBe(inB.user.id);
    await members.remove(a, inA.user.id);
    expect(await rejection(sessions.refresh({ refresh_token: inA.refresh_token }))).toMatchObject({ status: 401 });
    expect(await sessions.refresh({ refresh_token: inB.refresh_token })).toMatchObject({ token_type: 'Bearer' });
    // Login now lands in the tenant still held.
    const login = await sessions.login({ email, password });
    expect(verifyAccessToken(login.access_token, KeysConfigSchema.parse({}).JWT_SECRET)).toMatchObject({ tid: b.tenant.id, role: 'viewer' });
    const [event] = await ds.query(`SELECT envelope FROM outbox_events WHERE key = $1 AND type = 'member.removed'`, [a.tenant_id]);
    // The event names the membership that ended, as the member's tokens of it do (claim msn): gateways keep those dead.
    const msn = verifyAccessToken(inA.access_token, KeysConfigSchema.parse({}).JWT_SECRET)!.msn!;
    expect(event.envelope.data).toEqual({ user_id: inA.user.id, email, role: 'developer', member_since: new Date(msn).toISOString() });
  });
});
