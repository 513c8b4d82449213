/**
 * Access control through HTTP at two gateway replicas (SPEC §15, issue #19):
 * plans belong to the operator (signup is starter; the admin-token API changes
 * plans and limits, effective at every replica within a second); API keys'
 * allowed_cidrs (403 ip_not_allowed, X-Forwarded-For honoured for exactly
 * TRUST_PROXY_HOPS proxies, changes effective within a second); members and
 * roles (a removed member invited again: the old sessions stay dead); leaked
 * keys reported by GitHub secret scanning (signed reports only, revoked at
 * both replicas within a second, per-tenant policy, audited).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { generateApiKey } from '@sigil/platform';
import { adminClient, ApiClient, createTenant, eventually as eventuallyHolds, TEST_ADMIN_TOKEN, testPassword, TestStack } from '@sigil/testing';

/** The test's own "GitHub" signing key: its public half is configured at both gateways (SECRET_SCANNING_PUBLIC_KEYS). */
const GITHUB_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const GITHUB_KEY_ID = 'test-github-key-1';

/** Changes propagate within a second: probe often, with each test's own deadline. */
const eventually = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, stepMs = 25) => eventuallyHolds(fn, ok, { timeoutMs, stepMs });

describe('access control', () => {
  let stack: TestStack;
  let anon: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    // One proxy hop trusted, as behind an ingress: X-Forwarded-For's last entry is the client.
    const publicKeys = JSON.stringify({
      public_keys: [{ key_identifier: GITHUB_KEY_ID, key: GITHUB_KEY.publicKey.export({ type: 'spki', format: 'pem' }), is_current: true }],
    });
    stack = await TestStack.start({
      services: ['keys', 'gateway'],
      gatewayReplicas: 2,
      serviceEnv: { gateway: { TRUST_PROXY_HOPS: '1', SECRET_SCANNING_PUBLIC_KEYS: publicKeys } },
    });
    anon = new ApiClient(stack.gatewayUrl);
    admin = adminClient(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('plans belong to the operator', () => {
    it('signup always creates starter; a plan in the body is a 400 naming it', async () => {
      const body = { email: `p.${Date.now()}@example.com`, password: testPassword(), organization_name: 'Greedy' };
      const greedy = await anon.post('/v1/auth/signup', { ...body, plan: 'agency' });
      expect(greedy.status).toBe(400);
      expect(greedy.body.error.details).toEqual([expect.objectContaining({ field: 'plan', code: 'unknown_field' })]);
      const ok = await anon.post('/v1/auth/signup', body);
      expect(ok.status).toBe(201);
      expect(ok.body.data.tenant).toMatchObject({ plan: 'starter', limits: { requests_per_minute: 100, requests_per_day: 10_000, max_active_keys: 2 } });
    });

    it('the operator API takes only the admin token: no token, a wrong one, a tenant key or session → 401, nothing changed', async () => {
      const t = await createTenant(stack.gatewayUrl, { plan: 'starter' });
      const path = `/v1/admin/tenants/${t.tenantId}`;
      const wrong = [
        anon,
        adminClient(stack.gatewayUrl, `${TEST_ADMIN_TOKEN}x`),
        adminClient(stack.gatewayUrl, TEST_ADMIN_TOKEN.slice(0, -1)),
        t.api,
        t.session,
        new ApiClient(stack.gatewayUrl, { 'x-api-key': t.apiKey }),
        new ApiClient(stack.gatewayUrl, { authorization: `Basic ${Buffer.from(`x:${TEST_ADMIN_TOKEN}`).toString('base64')}` }),
      ];
      for (const client of wrong) {
        const res = await client.patch(path, { plan: 'agency' });
        expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 401, code: 'invalid_token' });
      }
      expect((await t.api.get('/v1/me')).body.data.tenant.plan).toBe('starter');
    });

    it('validates the change: unknown plan, incomplete limits, empty body → 400; unknown tenant → 404', async () => {
      const t = await createTenant(stack.gatewayUrl, { plan: 'starter' });
      const path = `/v1/admin/tenants/${t.tenantId}`;
      for (const body of [{ plan: 'platinum' }, { limits: { per_minute: 10 } }, {}, { limits: { per_minute: 0, per_day: 1, max_keys: 1 } }, { plan: 'pro', extra: 1 }]) {
        const res = await admin.patch(path, body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'validation_failed' });
      }
      expect((await admin.patch('/v1/admin/tenants/ten_01ARZ3NDEKTSV4RRFFQ69G5FAV', { plan: 'pro' })).status).toBe(404);
    });

    it('a plan change and custom limits reach both replicas within a second, for keys and for sessions issued before', async () => {
      const t = await createTenant(stack.gatewayUrl, { plan: 'starter' });
      const viaA = new ApiClient(stack.get('gateway').url, { authorization: `Bearer ${t.apiKey}` });
      const viaB = new ApiClient(stack.get('gateway-2').url, { authorization: `Bearer ${t.apiKey}` });
      const sessionB = new ApiClient(stack.get('gateway-2').url, { authorization: `Bearer ${t.accessToken}` });
      // Warm both replicas' caches with the starter answer.
      for (const c of [viaA, viaB, sessionB]) expect((await c.get('/v1/me')).headers.get('x-ratelimit-limit')).toBe('100');

      const changed = await admin.patch(`/v1/admin/tenants/${t.tenantId}`, { plan: 'pro', limits: { per_minute: 321, per_day: 4321, max_keys: 4 } });
      expect(changed.status).toBe(200);
      expect(changed.body.data).toMatchObject({
        id: t.tenantId,
        plan: 'pro',
        custom_limits: { per_minute: 321, per_day: 4321, max_keys: 4 },
        limits: { requests_per_minute: 321 },
      });
      const started = Date.now();
      const seen = await Promise.all(
        [viaA, viaB, sessionB].map((c) =>
          eventually(
            () => c.get('/v1/me'),
            (r) => r.headers.get('x-ratelimit-limit') === '321',
            1000,
          ),
        ),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      for (const me of seen) expect(me.body.data.tenant).toMatchObject({ plan: 'pro', limits: { requests_per_minute: 321, requests_per_day: 4321, max_active_keys: 4 } });
      // The key cap follows at once (it is checked by the keys service): 1 existing + 3 more.
      for (let i = 0; i < 3; i++) await t.createKey({ name: `k${i}` });
      expect((await t.session.post('/v1/api-keys', { name: 'over', environment: 'live', scopes: ['*'] })).body.error).toMatchObject({
        code: 'plan_limit_exceeded',
        limit: 4,
      });

      // Back to the plan's own limits.
      expect((await admin.patch(`/v1/admin/tenants/${t.tenantId}`, { limits: null })).body.data).toMatchObject({
        plan: 'pro',
        custom_limits: null,
        limits: { requests_per_minute: 500 },
      });
      await eventually(
        () => sessionB.get('/v1/me'),
        (r) => r.headers.get('x-ratelimit-limit') === '500',
        1000,
      );
      // Audited in the tenant's log, with the operator as the actor.
      const log = await eventually(
        () => t.session.get('/v1/audit-log?action=tenant.plan_changed'),
        (r) => r.body.data?.length >= 2,
        10_000,
        100,
      );
      expect(log.body.data[0]).toMatchObject({
        actor: { type: 'system', id: 'operator' },
        resource: { type: 'tenant', id: t.tenantId },
        changes: { after: { plan: 'pro', custom_limits: null } },
      });
    });
  });

  describe('allowed_cidrs on API keys', () => {
    const from = (key: string, xff?: string, url = stack.gatewayUrl) =>
      new ApiClient(url, { authorization: `Bearer ${key}`, ...(xff ? { 'x-forwarded-for': xff } : {}) });

    it('stores canonical networks; malformed, empty or too many → 400 naming the entry', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const created = await t.session.post('/v1/api-keys', {
        name: 'fenced',
        environment: 'live',
        scopes: ['*'],
        allowed_cidrs: ['203.0.113.0/24', '2001:DB8::/32', '198.51.100.7'],
      });
      expect(created.status).toBe(201);
      expect(created.body.data.allowed_cidrs).toEqual(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32']);
      expect((await t.session.get(`/v1/api-keys/${created.body.data.id}`)).body.data.allowed_cidrs).toEqual(created.body.data.allowed_cidrs);

      const bad = await t.session.post('/v1/api-keys', { name: 'x', environment: 'live', scopes: ['*'], allowed_cidrs: ['10.0.0.0/8', '10.0.0.300', '10.0.0.1/8'] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details).toEqual([
        expect.objectContaining({ field: 'allowed_cidrs[1]', code: 'invalid_cidr', message: expect.stringContaining("'10.0.0.300'") }),
        expect.objectContaining({ field: 'allowed_cidrs[2]', code: 'invalid_cidr', message: expect.stringContaining("did you mean '10.0.0.0/8'") }),
      ]);
      const many = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
      const tooMany = await t.session.patch(`/v1/api-keys/${created.body.data.id}`, { allowed_cidrs: many });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.details).toEqual([expect.objectContaining({ field: 'allowed_cidrs[50]', code: 'too_many' })]);
      expect((await t.session.patch(`/v1/api-keys/${created.body.data.id}`, { allowed_cidrs: [] })).status).toBe(400);
      expect((await t.session.patch(`/v1/api-keys/${created.body.data.id}`, { allowed_cidrs: many.slice(0, 50) })).body.data.allowed_cidrs).toHaveLength(50);
    });

    it('refuses a request from elsewhere with 403 ip_not_allowed; trusts X-Forwarded-For for one hop only', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { key } = await t.createKey({ name: 'office' });
      const { id } = await t.createKey({ name: 'unused' });
      expect((await t.session.patch(`/v1/api-keys/${id}`, { allowed_cidrs: ['10.0.0.0/8'] })).status).toBe(200);
      const office = await t.session.post('/v1/api-keys', { name: 'office only', environment: 'live', scopes: ['*'], allowed_cidrs: ['203.0.113.0/24', '127.0.0.1'] });
      const fenced = office.body.data.key as string;

      expect((await from(fenced).get('/v1/me')).status).toBe(200); // no proxy header: the socket's 127.0.0.1
      expect((await from(fenced, '203.0.113.50').get('/v1/me')).status).toBe(200);
      const outside = await from(fenced, '198.51.100.1').get('/v1/me');
      expect(outside.status).toBe(403);
      expect(outside.body.error).toMatchObject({ code: 'ip_not_allowed', ip: '198.51.100.1' });
      // A client cannot prepend its way in: only the entry added by the one trusted proxy counts.
      expect((await from(fenced, '203.0.113.50, 198.51.100.1').get('/v1/me')).body.error?.code).toBe('ip_not_allowed');
      // Session tokens and unrestricted keys are not affected.
      expect((await from(key, '198.51.100.1').get('/v1/me')).status).toBe(200);
      expect((await t.session.withHeaders({ 'x-forwarded-for': '198.51.100.1' }).get('/v1/me')).status).toBe(200);
    });

    it('a change of allowed_cidrs takes effect at both replicas within a second', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const created = await t.session.post('/v1/api-keys', { name: 'moving', environment: 'live', scopes: ['*'], allowed_cidrs: ['203.0.113.0/24'] });
      const key = created.body.data.key as string;
      const viaA = from(key, '203.0.113.9', stack.get('gateway').url);
      const viaB = from(key, '203.0.113.9', stack.get('gateway-2').url);
      expect((await viaA.get('/v1/me')).status).toBe(200);
      expect((await viaB.get('/v1/me')).status).toBe(200);
      expect((await t.session.patch(`/v1/api-keys/${created.body.data.id}`, { allowed_cidrs: ['2001:db8::/32'] })).status).toBe(200);
      const [a, b] = await Promise.all(
        [viaA, viaB].map((c) =>
          eventually(
            () => c.get('/v1/me'),
            (r) => r.status === 403,
            1000,
          ),
        ),
      );
      expect([a!.body.error.code, b!.body.error.code]).toEqual(['ip_not_allowed', 'ip_not_allowed']);
      expect((await from(key, '2001:db8::5', stack.get('gateway-2').url).get('/v1/me')).status).toBe(200);
      expect((await t.session.patch(`/v1/api-keys/${created.body.data.id}`, { allowed_cidrs: null })).body.data.allowed_cidrs).toBeNull();
      await eventually(
        () => viaB.get('/v1/me'),
        (r) => r.status === 200,
        1000,
      );
    });
  });

  describe('members and roles', () => {
    const bearer = (token: string, url = stack.gatewayUrl) => new ApiClient(url, { authorization: `Bearer ${token}` });
    async function join(t: Awaited<ReturnType<typeof createTenant>>, role: string, password = testPassword()) {
      const email = `m.${Math.random().toString(36).slice(2)}@example.com`;
      const inv = await t.session.post('/v1/members/invitations', { email, role });
      expect(inv.status).toBe(201);
      const accepted = await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password });
      expect(accepted.status).toBe(200);
      return {
        email,
        password,
        userId: accepted.body.data.user.id as string,
        token: accepted.body.data.access_token as string,
        refresh: accepted.body.data.refresh_token as string,
        invitation: inv.body.data.token as string,
        invitationId: inv.body.data.id as string,
      };
    }

    it('invites, accepts once (session tokens as login returns them), lists members with roles', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const email = `New.${Date.now()}@Example.com`;
      const inv = await t.session.post('/v1/members/invitations', { email, role: 'developer' });
      expect(inv.status).toBe(201);
      expect(inv.body.data).toMatchObject({ email: email.toLowerCase(), role: 'developer', token: expect.stringMatching(/^sginv_/) });
      expect((await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token })).body.error).toMatchObject({
        code: 'validation_failed',
        details: [expect.objectContaining({ field: 'password' })],
      });
      const accepted = await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password: testPassword() });
      expect(accepted.status).toBe(200);
      expect(accepted.body.data).toMatchObject({
        token_type: 'Bearer',
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        tenant: { id: t.tenantId },
        user: { role: 'developer' },
      });
      const me = await bearer(accepted.body.data.access_token).get('/v1/me');
      expect(me.body.data).toMatchObject({ tenant: { id: t.tenantId }, credential: { type: 'user', role: 'developer' } });
      const reused = await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password: testPassword() });
      expect({ status: reused.status, code: reused.body.error.code }).toEqual({ status: 409, code: 'invitation_used' });
      const list = await t.session.get('/v1/members');
      expect(list.status).toBe(200);
      expect(list.body.data.map((m: { email: string; role: string }) => [m.email, m.role]).sort()).toEqual(
        [
          [email.toLowerCase(), 'developer'],
          [t.email, 'owner'],
        ].sort(),
      );
      expect((await t.session.post('/v1/members/invitations', { email, role: 'viewer' })).status).toBe(409);
      expect((await t.session.post('/v1/members/invitations', { email: 'x@example.com', role: 'owner' })).status).toBe(400);
    });

    it('refuses forged, altered and other-secret invitation tokens with a clear error', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const other = await createTenant(stack.gatewayUrl);
      const inv = (await t.session.post('/v1/members/invitations', { email: `f.${Date.now()}@example.com`, role: 'viewer' })).body.data.token as string;
      const [payload, sig] = inv.slice('sginv_'.length).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const retarget = Buffer.from(JSON.stringify({ ...claims, tid: other.tenantId })).toString('base64url');
      const prolonged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1e6 })).toString('base64url');
      for (const token of [`sginv_${retarget}.${sig}`, `sginv_${prolonged}.${sig}`, 'sginv_x.y', inv.slice(0, -2)]) {
        const res = await anon.post('/v1/members/invitations/accept', { token, password: testPassword() });
        expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 400, code: 'invitation_invalid' });
      }
      expect((await other.session.get('/v1/members')).body.data).toHaveLength(1);
    });

    it('enforces the permission table for sessions: a viewer reads only, a developer cannot manage members', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const viewer = bearer((await join(t, 'viewer')).token);
      expect((await viewer.get('/v1/members')).status).toBe(200);
      expect((await viewer.get('/v1/api-keys')).status).toBe(200);
      for (const [method, path, body] of [
        ['post', '/v1/api-keys', { name: 'v', environment: 'live', scopes: ['contacts:read'] }],
        ['post', '/v1/members/invitations', { email: 'v@example.com', role: 'viewer' }],
      ] as const) {
        const res = await viewer[method](path, body);
        expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'insufficient_scope' });
      }
      const developer = bearer((await join(t, 'developer')).token);
      expect((await developer.post('/v1/api-keys', { name: 'd', environment: 'live', scopes: ['contacts:read'] })).status).toBe(201);
      // No escalation through a key: a developer cannot mint a key with members:write or *.
      expect((await developer.post('/v1/api-keys', { name: 'd', environment: 'live', scopes: ['*'] })).body.error).toMatchObject({ code: 'insufficient_scope' });
      expect((await developer.post('/v1/members/invitations', { email: 'd@example.com', role: 'viewer' })).body.error).toMatchObject({
        code: 'insufficient_scope',
        required_scope: 'members:write',
      });
      const admin = bearer((await join(t, 'admin')).token);
      expect((await admin.post('/v1/members/invitations', { email: `a.${Date.now()}@example.com`, role: 'admin' })).status).toBe(201);
    });

    it('a role change reaches both replicas within a second; only the owner transfers ownership', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const dev = await join(t, 'developer');
      const viaB = bearer(dev.token, stack.get('gateway-2').url);
      expect((await viaB.post('/v1/api-keys', { name: 'x', environment: 'live', scopes: ['contacts:read'] })).status).toBe(201);
      expect((await t.session.patch(`/v1/members/${dev.userId}`, { role: 'viewer' })).body.data).toMatchObject({ role: 'viewer' });
      const denied = await eventually(
        () => viaB.post('/v1/api-keys', { name: 'y', environment: 'live', scopes: ['contacts:read'] }),
        (r) => r.status === 403,
        1000,
      );
      expect(denied.body.error.code).toBe('insufficient_scope');
      expect((await viaB.get('/v1/me')).body.data.credential.role).toBe('viewer');

      const admin = await join(t, 'admin');
      expect((await bearer(admin.token).patch(`/v1/members/${dev.userId}`, { role: 'owner' })).body.error).toMatchObject({ code: 'insufficient_scope' });
      const ownerId = (await t.session.get('/v1/me')).body.data.credential.id;
      expect((await bearer(admin.token).patch(`/v1/members/${ownerId}`, { role: 'viewer' })).status).toBe(409);
      expect((await bearer(admin.token).delete(`/v1/members/${ownerId}`)).status).toBe(409);
      expect((await t.session.patch(`/v1/members/${admin.userId}`, { role: 'owner' })).body.data).toMatchObject({ role: 'owner' });
      const roles = (await t.session.get('/v1/members')).body.data.map((m: { user_id: string; role: string }) => [m.user_id, m.role]);
      expect(roles).toEqual(
        expect.arrayContaining([
          [admin.userId, 'owner'],
          [ownerId, 'admin'],
        ]),
      );
    });

    it("removing a member ends their sessions at both replicas within a second (refresh too); another tenant's user id is 404", async () => {
      const t = await createTenant(stack.gatewayUrl);
      const other = await createTenant(stack.gatewayUrl);
      const dev = await join(t, 'developer');
      const viaA = bearer(dev.token, stack.get('gateway').url);
      const viaB = bearer(dev.token, stack.get('gateway-2').url);
      expect((await viaA.get('/v1/members')).status).toBe(200);
      expect((await viaB.get('/v1/members')).status).toBe(200);
      const otherId = (await other.session.get('/v1/me')).body.data.credential.id;
      expect((await t.session.delete(`/v1/members/${otherId}`)).status).toBe(404);
      expect((await t.session.patch(`/v1/members/${otherId}`, { role: 'viewer' })).status).toBe(404);
      expect((await other.session.delete(`/v1/members/${dev.userId}`)).status).toBe(404);

      expect((await t.session.delete(`/v1/members/${dev.userId}`)).status).toBe(204);
      const started = Date.now();
      const [a, b] = await Promise.all(
        [viaA, viaB].map((c) =>
          eventually(
            () => c.get('/v1/members'),
            (r) => r.status === 401,
            1000,
          ),
        ),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect([a!.body.error.code, b!.body.error.code]).toEqual(['invalid_token', 'invalid_token']);
      expect((await anon.post('/v1/auth/refresh', { refresh_token: dev.refresh })).status).toBe(401);
      expect((await t.session.get('/v1/members')).body.data.map((m: { user_id: string }) => m.user_id)).not.toContain(dev.userId);
    });

    it('lists pending invitations (never their tokens), revokes one (its token then refused), 404 for other tenants', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const other = await createTenant(stack.gatewayUrl);
      const first = (await t.session.post('/v1/members/invitations', { email: `p1.${Date.now()}@example.com`, role: 'viewer' })).body.data;
      const second = (await t.session.post('/v1/members/invitations', { email: `p2.${Date.now()}@example.com`, role: 'developer' })).body.data;
      const accepted = await join(t, 'viewer');
      const list = await t.session.get('/v1/members/invitations');
      expect(list.status).toBe(200);
      // Newest first; the accepted one is gone; no token in the listing.
      expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([second.id, first.id]);
      expect(list.body.data[0]).toEqual({
        id: second.id,
        email: second.email,
        role: 'developer',
        invited_by: expect.stringMatching(/^usr_/),
        expires_at: second.expires_at,
        created_at: second.created_at,
      });
      expect(JSON.stringify(list.body)).not.toContain('sginv_');
      expect(list.body.meta).toMatchObject({ total: 2, has_more: false });
      const paged = await t.session.get('/v1/members/invitations?limit=1');
      expect(paged.body.data.map((i: { id: string }) => i.id)).toEqual([second.id]);
      expect((await t.session.get(`/v1/members/invitations?limit=1&cursor=${paged.body.meta.next_cursor}`)).body.data.map((i: { id: string }) => i.id)).toEqual([
        first.id,
      ]);

      // Another tenant cannot see or revoke them; a viewer can list but not revoke.
      expect((await other.session.get('/v1/members/invitations')).body.data).toEqual([]);
      expect((await other.session.delete(`/v1/members/invitations/${first.id}`)).status).toBe(404);
      const viewer = bearer(accepted.token);
      expect((await viewer.get('/v1/members/invitations')).status).toBe(200);
      expect((await viewer.delete(`/v1/members/invitations/${first.id}`)).body.error).toMatchObject({ code: 'insufficient_scope', required_scope: 'members:write' });

      expect((await t.session.delete(`/v1/members/invitations/${first.id}`)).status).toBe(204);
      expect((await t.session.delete(`/v1/members/invitations/${first.id}`)).status).toBe(404);
      expect((await t.session.delete('/v1/members/invitations/inv_nope')).status).toBe(404);
      // An accepted invitation exists (its member does): revoking it is a conflict, not a 404.
      const used = await t.session.delete(`/v1/members/invitations/${accepted.invitationId}`);
      expect({ status: used.status, code: used.body.error?.code }).toEqual({ status: 409, code: 'invitation_used' });
      const refused = await anon.post('/v1/members/invitations/accept', { token: first.token, password: testPassword() });
      expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 400, code: 'invitation_revoked' });
      expect((await t.session.get('/v1/members/invitations')).body.data.map((i: { id: string }) => i.id)).toEqual([second.id]);
    });

    it("lists the session user's tenants with their role and the current one; an API key cannot", async () => {
      const home = await createTenant(stack.gatewayUrl);
      const other = await createTenant(stack.gatewayUrl);
      const inv = await other.session.post('/v1/members/invitations', { email: home.email, role: 'developer' });
      expect((await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password: home.password })).status).toBe(200);
      const login = await anon.post('/v1/auth/login', { email: home.email, password: home.password });
      const tenants = await bearer(login.body.data.access_token).get('/v1/auth/tenants');
      expect(tenants.status).toBe(200);
      expect(tenants.body.data).toEqual([
        { id: home.tenantId, name: expect.any(String), role: 'owner', current: true, joined_at: expect.any(String) },
        { id: other.tenantId, name: expect.any(String), role: 'developer', current: false, joined_at: expect.any(String) },
      ]);
      const switched = await bearer(login.body.data.access_token).post('/v1/auth/switch', { tenant_id: other.tenantId });
      const inOther = (await bearer(switched.body.data.access_token).get('/v1/auth/tenants')).body.data;
      expect(inOther.map((x: { id: string; current: boolean }) => [x.id, x.current])).toEqual([
        [home.tenantId, false],
        [other.tenantId, true],
      ]);
      expect((await home.api.get('/v1/auth/tenants')).body.error).toMatchObject({ code: 'insufficient_scope' });
    });

    it('a removed member invited again: the new membership works, the sessions issued before the removal stay dead at both replicas', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const dev = await join(t, 'developer');
      const before = [bearer(dev.token, stack.get('gateway').url), bearer(dev.token, stack.get('gateway-2').url)];
      for (const c of before) expect((await c.get('/v1/members')).status).toBe(200);
      expect((await t.session.delete(`/v1/members/${dev.userId}`)).status).toBe(204);
      await Promise.all(
        before.map((c) =>
          eventually(
            () => c.get('/v1/members'),
            (r) => r.status === 401,
            1000,
          ),
        ),
      );

      // Invited again at once and accepted with the same account: a new membership.
      const inv = await t.session.post('/v1/members/invitations', { email: dev.email, role: 'viewer' });
      const again = await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password: dev.password });
      expect(again.status).toBe(200);
      const after = [bearer(again.body.data.access_token, stack.get('gateway').url), bearer(again.body.data.access_token, stack.get('gateway-2').url)];
      // Both replicas have heard of the re-join once the new session works there; the old token must still be refused.
      for (const c of after)
        expect(
          (
            await eventually(
              () => c.get('/v1/me'),
              (r) => r.status === 200,
              1000,
            )
          ).body.data.credential,
        ).toMatchObject({ role: 'viewer' });
      for (const c of before) expect({ status: (await c.get('/v1/members')).status }).toEqual({ status: 401 });
      expect((await anon.post('/v1/auth/refresh', { refresh_token: dev.refresh })).status).toBe(401);
    });

    it('one user in several tenants: an existing user joins with their password and switches between tenants', async () => {
      const home = await createTenant(stack.gatewayUrl);
      const other = await createTenant(stack.gatewayUrl);
      const inv = await other.session.post('/v1/members/invitations', { email: home.email, role: 'viewer' });
      expect((await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password: 'wrong-password-1' })).status).toBe(401);
      const accepted = await anon.post('/v1/members/invitations/accept', { token: inv.body.data.token, password: home.password });
      expect(accepted.status).toBe(200);
      expect(accepted.body.data.tenant.id).toBe(other.tenantId);

      // Login lands in the home tenant; switch moves the session to the other one, and back.
      const login = await anon.post('/v1/auth/login', { email: home.email, password: home.password });
      expect((await bearer(login.body.data.access_token).get('/v1/me')).body.data.tenant.id).toBe(home.tenantId);
      const switched = await bearer(login.body.data.access_token).post('/v1/auth/switch', { tenant_id: other.tenantId });
      expect(switched.status).toBe(200);
      const inOther = bearer(switched.body.data.access_token);
      expect((await inOther.get('/v1/me')).body.data).toMatchObject({ tenant: { id: other.tenantId }, credential: { role: 'viewer' } });
      expect((await inOther.post('/v1/api-keys', { name: 'x', environment: 'live', scopes: ['contacts:read'] })).status).toBe(403);
      expect((await inOther.post('/v1/auth/switch', { tenant_id: home.tenantId })).status).toBe(200);
      // A tenant the user does not belong to, and an API key, cannot switch.
      const stranger = await createTenant(stack.gatewayUrl);
      expect((await inOther.post('/v1/auth/switch', { tenant_id: stranger.tenantId })).status).toBe(404);
      expect((await home.api.post('/v1/auth/switch', { tenant_id: other.tenantId })).status).toBe(403);
    });
  });
  describe('leaked keys (GitHub secret scanning)', () => {
    const ENDPOINT = '/v1/secret-scanning/verify';
    /** POSTs a report as GitHub does: the raw bytes, signed (ECDSA P-256, SHA-256, DER, base64). */
    const post = (body: string, headers: Record<string, string> = signedBy(body), url = stack.gatewayUrl) =>
      fetch(`${url}${ENDPOINT}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const signedBy = (body: string, key = GITHUB_KEY.privateKey, id = GITHUB_KEY_ID) => ({
      'github-public-key-identifier': id,
      'github-public-key-signature': sign('sha256', Buffer.from(body), { key, dsaEncoding: 'der' }).toString('base64'),
    });
    const reportOf = (...tokens: string[]) =>
      JSON.stringify(tokens.map((token, i) => ({ token, type: 'sigil_api_key', url: `https://github.com/octocat/leaky/blob/${i}/.env`, source: 'content' })));

    it('a reported key stops answering at both replicas within a second; GitHub gets true and false positives; a replay is 401', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { id, key } = await t.createKey({ name: 'committed by mistake' });
      const [viaA, viaB] = [stack.get('gateway').url, stack.get('gateway-2').url].map((url) => new ApiClient(url, { authorization: `Bearer ${key}` }));
      for (const c of [viaA, viaB, viaB]) expect((await c.get('/v1/me')).status).toBe(200);
      const other = await t.createKey({ name: 'not leaked' });
      const badChecksum = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
      // Well-formed, valid checksum, but no key of Sigil's: asked about, not found.
      const unknown = generateApiKey('live');
      const body = reportOf(key, badChecksum, 'ghp_notOurs0123456789', unknown);

      // Timed from GitHub's call: the report's own answer counts toward the second.
      const started = Date.now();
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual([
        { token_raw: key, token_type: 'sigil_api_key', label: 'true_positive' },
        { token_raw: badChecksum, token_type: 'sigil_api_key', label: 'false_positive' },
        { token_raw: 'ghp_notOurs0123456789', token_type: 'sigil_api_key', label: 'false_positive' },
        { token_raw: unknown, token_type: 'sigil_api_key', label: 'false_positive' },
      ]);
      const [a, b] = await Promise.all(
        [viaA, viaB].map((c) =>
          eventually(
            () => c.get('/v1/me'),
            (r) => r.status === 401,
            1000,
          ),
        ),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      expect([a!.body.error.code, b!.body.error.code]).toEqual(['revoked_api_key', 'revoked_api_key']);
      expect((await new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${other.key}` }).get('/v1/me')).status).toBe(200);

      // The same signed body again (a captured request replayed): 401, nothing more happens.
      const replay = await post(body, undefined, stack.get('gateway-2').url);
      expect({ status: replay.status, code: ((await replay.json()) as { error: { code: string } }).error.code }).toEqual({ status: 401, code: 'replayed_request' });

      // The tenant sees why: the key's status, the audit log (GitHub as the actor), once.
      expect((await t.session.get(`/v1/api-keys/${id}`)).body.data.status).toBe('revoked');
      const bySystem = await eventually(
        () => t.session.get(`/v1/audit-log?resource_id=${id}&actor_id=github_secret_scanning`),
        (r) => r.body.data?.length === 2,
        10_000,
        100,
      );
      const entries = Object.fromEntries(bySystem.body.data.map((e: { action: string }) => [e.action, e]));
      expect(Object.keys(entries).sort()).toEqual(['api_key.leaked', 'api_key.revoked']);
      expect(entries['api_key.leaked'].actor).toEqual({ type: 'system', id: 'github_secret_scanning' });
      expect(entries['api_key.leaked'].changes.after).toMatchObject({
        policy: 'revoke',
        revoked: true,
        url: 'https://github.com/octocat/leaky/blob/0/.env',
        source: 'content',
      });
    });

    it('unsigned, forged or altered reports are 401 and revoke nothing', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { key } = await t.createKey({ name: 'target' });
      const body = reportOf(key);
      const impostor = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      const genuine = signedBy(body);
      const attempts: Array<[string, string, Record<string, string>]> = [
        ['unsigned', body, {}],
        ['no identifier', body, { 'github-public-key-signature': genuine['github-public-key-signature'] }],
        ['unknown identifier', body, { ...genuine, 'github-public-key-identifier': 'another-key' }],
        ['signed by another key', body, signedBy(body, impostor)],
        ['another body’s signature', body, signedBy(reportOf(key, key))],
        ['altered body', body.replace('content', 'commit'), genuine],
        ['garbage signature', body, { ...genuine, 'github-public-key-signature': 'bm90IGEgc2lnbmF0dXJl' }],
      ];
      for (const [what, sent, headers] of attempts) {
        const res = await post(sent, headers);
        expect({ what, status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code }).toEqual({
          what,
          status: 401,
          code: 'invalid_signature',
        });
      }
      // Signed but not GitHub's format: 400; the key still works throughout.
      for (const bad of ['{"token": "x"}', '[]', '[{"token": 1}]']) expect((await post(bad)).status).toBe(400);
      expect((await new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}` }).get('/v1/me')).status).toBe(200);
    });

    it('leaked_key_policy notify (owners and admins only, live mode): the key keeps working and the tenant is told', async () => {
      const t = await createTenant(stack.gatewayUrl);
      expect((await t.session.get('/v1/settings')).body.data).toEqual({ leaked_key_policy: 'revoke', updated_at: null });
      const developer = await t.client({ scopes: ['keys:read', 'keys:write'] });
      expect((await developer.patch('/v1/settings', { leaked_key_policy: 'notify' })).body.error).toMatchObject({ code: 'insufficient_scope', required_scope: '*' });
      const testKey = await t.client({ scopes: ['*'], mode: 'test' });
      expect((await testKey.patch('/v1/settings', { leaked_key_policy: 'notify' })).status).toBe(403);
      expect((await t.session.patch('/v1/settings', { leaked_key_policy: 'sometimes' })).status).toBe(400);
      expect((await t.session.patch('/v1/settings', { leaked_key_policy: 'notify' })).body.data).toMatchObject({ leaked_key_policy: 'notify' });

      const { id, key } = await t.createKey({ name: 'leaked, kept' });
      const res = await post(reportOf(key));
      expect(await res.json()).toEqual([{ token_raw: key, token_type: 'sigil_api_key', label: 'true_positive' }]);
      const log = await eventually(
        () => t.session.get(`/v1/audit-log?action=api_key.leaked&resource_id=${id}`),
        (r) => r.body.data?.length === 1,
        10_000,
        100,
      );
      expect(log.body.data[0].changes.after).toMatchObject({ policy: 'notify', revoked: false, status: 'active' });
      expect((await new ApiClient(stack.get('gateway-2').url, { authorization: `Bearer ${key}` }).get('/v1/me')).status).toBe(200);
      const settingsLog = await eventually(
        () => t.session.get('/v1/audit-log?action=tenant.settings_changed'),
        (r) => r.body.data?.length === 1,
        10_000,
        100,
      );
      expect(settingsLog.body.data[0].changes).toEqual({ before: { leaked_key_policy: 'revoke' }, after: { leaked_key_policy: 'notify' } });
    });
  });
});
