/**
 * Keys service and gateway authentication through HTTP: signup, sessions with
 * refresh rotation and reuse detection, API keys (format, listing, scopes,
 * rotation with grace, revocation at two gateways within a second, expiry,
 * plan limits), /v1/me and usage.
 */
import { ApiClient, createTenant, eventually as eventuallyHolds, testPassword, TestStack } from '@sigil/testing';

/** Revocations and scope changes propagate within a second: probe often, with each test's own deadline. */
const eventually = <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, stepMs = 25) => eventuallyHolds(fn, ok, { timeoutMs, stepMs });

describe('authentication', () => {
  let stack: TestStack;
  let anon: ApiClient;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['keys', 'gateway'], gatewayReplicas: 2, serviceEnv: { keys: { LOGIN_MAX_FAILURES: '3' } } });
    anon = new ApiClient(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('signup and sessions', () => {
    it('signs up a tenant with its owner, starter plan by default', async () => {
      const email = `Owner.${Date.now()}@Example.com`;
      const res = await anon.post('/v1/auth/signup', { email, password: testPassword(), organization_name: 'Acme' });
      expect(res.status).toBe(201);
      expect(res.body.data.tenant).toMatchObject({ name: 'Acme', plan: 'starter' });
      expect(res.body.data.user).toMatchObject({ email: email.toLowerCase(), role: 'owner' });
      expect(res.body.data).toMatchObject({ token_type: 'Bearer', expires_in: 900, refresh_expires_in: 7 * 24 * 3600 });
      const again = await anon.post('/v1/auth/signup', { email: email.toUpperCase(), password: testPassword(), organization_name: 'Acme 2' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('conflict');
    });

    it('rejects weak or missing fields with 400 and details', async () => {
      const res = await anon.post('/v1/auth/signup', { email: 'x@example.com', password: 'short', plan: 'platinum' });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['organization_name', 'password', 'plan']);
    });

    it('logs in, refreshes with rotation, and revokes the family when a rotated token is reused', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const login = await anon.post('/v1/auth/login', { email: t.email, password: t.password });
      expect(login.status).toBe(200);
      const first = login.body.data.refresh_token;

      const rotated = await anon.post('/v1/auth/refresh', { refresh_token: first });
      expect(rotated.status).toBe(200);
      const second = rotated.body.data.refresh_token;
      expect(second).not.toBe(first);
      const me = await new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${rotated.body.data.access_token}` }).get('/v1/me');
      expect(me.status).toBe(200);
      expect(me.body.data.credential).toMatchObject({ type: 'user', email: t.email, role: 'owner' });

      const reuse = await anon.post('/v1/auth/refresh', { refresh_token: first });
      expect(reuse.status).toBe(401);
      expect(reuse.body.error.code).toBe('invalid_token');
      const afterTheft = await anon.post('/v1/auth/refresh', { refresh_token: second });
      expect(afterTheft.status).toBe(401);
    });

    it('logout revokes the refresh token', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const out = await anon.post('/v1/auth/logout', { refresh_token: t.refreshToken });
      expect(out.status).toBe(200);
      const refresh = await anon.post('/v1/auth/refresh', { refresh_token: t.refreshToken });
      expect(refresh.status).toBe(401);
    });

    it('rejects wrong passwords with 401 and throttles repeated failures with 429', async () => {
      const t = await createTenant(stack.gatewayUrl);
      for (let i = 0; i < 3; i++) {
        const bad = await anon.post('/v1/auth/login', { email: t.email, password: 'wrong-password-123' });
        expect(bad.status).toBe(401);
        expect(bad.body.error.code).toBe('invalid_credentials');
      }
      const throttled = await anon.post('/v1/auth/login', { email: t.email, password: t.password });
      expect(throttled.status).toBe(429);
      expect(throttled.body.error.code).toBe('rate_limit_exceeded');
    });

    it('rejects a forged or tampered access token with invalid_token', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const [h, p, s] = t.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, tid: 'ten_someone_else' })).toString('base64url')}.${s}`;
      const res = await new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${forged}` }).get('/v1/me');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_token');
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
      expect((await new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${none}` }).get('/v1/me')).status).toBe(401);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, in the documented format, and lists it without the secret', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const created = await t.session.post('/v1/api-keys', { name: 'CI', environment: 'test', scopes: ['contacts:read', 'contacts:read'] });
      expect(created.status).toBe(201);
      const key: string = created.body.data.key;
      expect(key).toMatch(/^sg_test_[0-9A-Za-z]{38}$/);
      expect(created.body.data).toMatchObject({
        name: 'CI',
        environment: 'test',
        scopes: ['contacts:read'],
        prefix: key.slice(0, 12),
        last4: key.slice(-4),
        status: 'active',
      });

      const list = await t.session.get('/v1/api-keys?limit=1');
      expect(list.status).toBe(200);
      expect(list.body.meta).toMatchObject({ limit: 1, total: 2, has_more: true });
      expect(JSON.stringify(list.body)).not.toContain(key);
      const next = await t.session.get(list.body.links.next);
      expect(next.body.data).toHaveLength(1);
      expect(next.body.data[0].id).toBe(created.body.data.id);
      expect(next.body.meta.has_more).toBe(false);

      const one = await t.session.get(`/v1/api-keys/${created.body.data.id}`);
      expect(one.body.data).not.toHaveProperty('key');
    });

    it('answers /v1/me for a key with tenant, plan, prefix, scopes and environment', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const res = await t.api.get('/v1/me');
      expect(res.status).toBe(200);
      expect(res.body.meta.request_id).toBe(res.headers.get('x-request-id'));
      expect(res.body.data).toMatchObject({
        tenant: { id: t.tenantId, plan: 'agency' },
        mode: 'live',
        credential: { type: 'api_key', prefix: t.apiKey.slice(0, 12), environment: 'live', scopes: ['*'] },
      });
    });

    it('distinguishes missing, malformed and unknown keys, without asking the keys service for malformed ones', async () => {
      const t = await createTenant(stack.gatewayUrl);
      expect((await anon.get('/v1/me')).body.error.code).toBe('missing_api_key');
      const unknown = t.apiKey.slice(0, 10) + (t.apiKey[10] === 'A' ? 'B' : 'A') + t.apiKey.slice(11);
      const wrongChecksum = t.apiKey.slice(0, -1) + (t.apiKey.endsWith('A') ? 'B' : 'A');
      const truncated = t.apiKey.slice(0, -3);
      for (const bad of [wrongChecksum, truncated, 'sg_live_short', 'hello']) {
        const res = await anon.get('/v1/me', { 'x-api-key': bad });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('invalid_api_key');
      }
      // With the keys service down, malformed keys are still rejected at once (no lookup),
      // while a well-formed unknown key would need one.
      await stack.get('keys').stop('SIGKILL');
      try {
        for (const bad of [wrongChecksum, truncated]) {
          const res = await anon.get('/v1/me', { authorization: `Bearer ${bad}` });
          expect(res.status).toBe(401);
          expect(res.body.error.code).toBe('invalid_api_key');
        }
        expect(unknown).not.toBe(t.apiKey);
      } finally {
        await stack.get('keys').start();
      }
    });

    it('denies a route to a key without its scope with 403 naming the scope', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const readOnly = await t.client({ scopes: ['contacts:read'] });
      const cases: [string, string, string][] = [
        ['POST', '/v1/api-keys', 'keys:write'],
        ['GET', '/v1/api-keys', 'keys:read'],
        ['GET', '/v1/usage', 'usage:read'],
        ['GET', '/v1/audit-log', 'audit:read'],
        ['POST', '/v1/contacts', 'contacts:write'],
      ];
      for (const [method, path, scope] of cases) {
        const res = await readOnly.request(method, path, method === 'POST' ? {} : undefined);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'insufficient_scope', required_scope: scope, type: 'authorization_error' });
      }
      expect((await readOnly.get('/v1/me')).status).toBe(200);
    });

    it('does not let a key grant scopes or environments it does not hold', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const keyAdmin = await t.client({ scopes: ['keys:write', 'contacts:read'] });
      const wider = await keyAdmin.post('/v1/api-keys', { name: 'x', environment: 'live', scopes: ['*'] });
      expect(wider.status).toBe(403);
      const otherEnv = await keyAdmin.post('/v1/api-keys', { name: 'x', environment: 'test', scopes: ['contacts:read'] });
      expect(otherEnv.status).toBe(403);
      const subset = await keyAdmin.post('/v1/api-keys', { name: 'x', environment: 'live', scopes: ['contacts:read'] });
      expect(subset.status).toBe(201);
    });

    it('rotates a key: the old secret works during the grace period and fails after it', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { id, key: oldKey } = await t.createKey({ name: 'rotating' });
      const old = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${oldKey}` });
      expect((await old.get('/v1/me')).status).toBe(200);
      const rotated = await t.session.post(`/v1/api-keys/${id}/rotate`, { grace_period_seconds: 2 });
      expect(rotated.status).toBe(200);
      const fresh = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${rotated.body.data.key}` });
      expect(rotated.body.data.key).not.toBe(oldKey);
      expect((await fresh.get('/v1/me')).status).toBe(200);
      expect((await old.get('/v1/me')).status).toBe(200);
      const after = await eventually(
        () => old.get('/v1/me'),
        (r) => r.status === 401,
        5000,
        100,
      );
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('expired_api_key');
      expect((await fresh.get('/v1/me')).status).toBe(200);
      const tooLong = await t.session.post(`/v1/api-keys/${id}/rotate`, { grace_period_seconds: 8 * 24 * 3600 });
      expect(tooLong.status).toBe(400);
    });

    it('revocation takes effect at both gateway replicas within one second', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { id, key } = await t.createKey({ name: 'to revoke' });
      const viaA = new ApiClient(stack.get('gateway').url, { authorization: `Bearer ${key}` });
      const viaB = new ApiClient(stack.get('gateway-2').url, { authorization: `Bearer ${key}` });
      // Warm both replicas' caches.
      expect((await viaA.get('/v1/me')).status).toBe(200);
      expect((await viaB.get('/v1/me')).status).toBe(200);
      expect((await viaB.get('/v1/me')).status).toBe(200);

      const revoked = await t.session.delete(`/v1/api-keys/${id}`);
      expect(revoked.status).toBe(204);
      const [a, b] = await Promise.all([
        eventually(
          () => viaA.get('/v1/me'),
          (r) => r.status === 401,
          1000,
        ),
        eventually(
          () => viaB.get('/v1/me'),
          (r) => r.status === 401,
          1000,
        ),
      ]);
      expect(a.body.error?.code).toBe('revoked_api_key');
      expect(b.body.error?.code).toBe('revoked_api_key');
    });

    it('scope changes take effect at both replicas within one second', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { id, key } = await t.createKey({ name: 'narrowing', scopes: ['keys:read', 'usage:read'] });
      const viaB = new ApiClient(stack.get('gateway-2').url, { authorization: `Bearer ${key}` });
      expect((await viaB.get('/v1/usage')).status).toBe(200);
      expect((await t.session.patch(`/v1/api-keys/${id}`, { scopes: ['keys:read'] })).status).toBe(200);
      const denied = await eventually(
        () => viaB.get('/v1/usage'),
        (r) => r.status === 403,
        1000,
      );
      expect(denied.body.error?.code).toBe('insufficient_scope');
    });

    it('rejects an expired key with expired_api_key', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { key } = await t.createKey({ name: 'short-lived', expires_at: new Date(Date.now() + 1500).toISOString() });
      const client = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}` });
      expect((await client.get('/v1/me')).status).toBe(200);
      const res = await eventually(
        () => client.get('/v1/me'),
        (r) => r.status === 401,
        5000,
        100,
      );
      expect(res.body.error.code).toBe('expired_api_key');
    });

    it('enforces the plan limit on active keys', async () => {
      const t = await createTenant(stack.gatewayUrl, { plan: 'starter' });
      // The tenant already holds one key (all scopes); starter allows two.
      await t.createKey({ name: 'second' });
      const third = await t.session.post('/v1/api-keys', { name: 'third', environment: 'live', scopes: ['contacts:read'] });
      expect(third.status).toBe(403);
      expect(third.body.error).toMatchObject({ code: 'plan_limit_exceeded', limit: 2 });
    });

    it('keeps other tenants out: their key ids are 404', async () => {
      const a = await createTenant(stack.gatewayUrl);
      const b = await createTenant(stack.gatewayUrl);
      const { id } = await a.createKey({ name: 'a-only' });
      expect((await b.api.get(`/v1/api-keys/${id}`)).status).toBe(404);
      expect((await b.api.delete(`/v1/api-keys/${id}`)).status).toBe(404);
      expect((await b.api.post(`/v1/api-keys/${id}/rotate`, {})).status).toBe(404);
      const list = await b.api.get('/v1/api-keys');
      expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(id);
    });

    it('records usage per key and day, served by /v1/usage', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { id, key } = await t.createKey({ name: 'metered' });
      const client = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}` });
      for (let i = 0; i < 3; i++) await client.get('/v1/me');
      await client.get('/v1/api-keys/key_00000000000000000000000000');
      const usage = await eventually(
        () => t.api.get(`/v1/usage?key_id=${id}`),
        (r) => r.body.data?.[0]?.total >= 4,
        10000,
        200,
      );
      expect(usage.body.data[0]).toMatchObject({ credential_id: id, '2xx': 3, '4xx': 1, total: 4 });
      const keyView = await t.session.get(`/v1/api-keys/${id}`);
      expect(keyView.body.data.last_used_at).not.toBeNull();
    });
  });
});
