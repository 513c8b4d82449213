/**
 * Access control through HTTP at two gateway replicas (SPEC §15, issue #19):
 * plans belong to the operator (signup is starter; the admin-token API changes
 * plans and limits, effective at every replica within a second).
 */
import { adminClient, ApiClient, createTenant, eventually as eventuallyHolds, TEST_ADMIN_TOKEN, testPassword, TestStack } from '@sigil/testing';

/** Changes propagate within a second: probe often, with each test's own deadline. */
const eventually = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, stepMs = 25) => eventuallyHolds(fn, ok, { timeoutMs, stepMs });

describe('access control', () => {
  let stack: TestStack;
  let anon: ApiClient;
  let admin: ApiClient;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['keys', 'gateway'], gatewayReplicas: 2 });
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
      expect(changed.body.data).toMatchObject({ id: t.tenantId, plan: 'pro', custom_limits: { per_minute: 321, per_day: 4321, max_keys: 4 }, limits: { requests_per_minute: 321 } });
      const started = Date.now();
      const seen = await Promise.all(
        [viaA, viaB, sessionB].map((c) => eventually(() => c.get('/v1/me'), (r) => r.headers.get('x-ratelimit-limit') === '321', 1000)),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      for (const me of seen) expect(me.body.data.tenant).toMatchObject({ plan: 'pro', limits: { requests_per_minute: 321, requests_per_day: 4321, max_active_keys: 4 } });
      // The key cap follows at once (it is checked by the keys service): 1 existing + 3 more.
      for (let i = 0; i < 3; i++) await t.createKey({ name: `k${i}` });
      expect((await t.session.post('/v1/api-keys', { name: 'over', environment: 'live', scopes: ['*'] })).body.error).toMatchObject({ code: 'plan_limit_exceeded', limit: 4 });

      // Back to the plan's own limits.
      expect((await admin.patch(`/v1/admin/tenants/${t.tenantId}`, { limits: null })).body.data).toMatchObject({ plan: 'pro', custom_limits: null, limits: { requests_per_minute: 500 } });
      await eventually(() => sessionB.get('/v1/me'), (r) => r.headers.get('x-ratelimit-limit') === '500', 1000);
    });
  });
});
