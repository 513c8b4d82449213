/**
 * Gateway behaviour through HTTP: exact rate limits shared by three gateway
 * replicas, rate-limit headers, idempotency keys under concurrency,
 * security headers and CORS.
 */
import Redis from 'ioredis';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { ApiClient, contactInput, createTenant, REDIS_URL, TestStack } from '@sigil/testing';

describe('gateway', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      services: ['keys', 'contacts', 'gateway'],
      gatewayReplicas: 3,
      serviceEnv: { gateway: { CORS_ORIGINS: 'https://app.example.com' } },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('rate limits', () => {
    it('admits exactly the limit across three replicas, refuses the rest with 429 and Retry-After', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const { key } = await t.createKey({ name: 'limited', rate_limit_per_minute: 25 });
      const gateways = ['gateway', 'gateway-2', 'gateway-3'].map((g) => new ApiClient(stack.get(g).url, { authorization: `Bearer ${key}` }));
      const responses = await Promise.all(Array.from({ length: 90 }, (_, i) => gateways[i % 3]!.get('/v1/me')));
      const ok = responses.filter((r) => r.status === 200);
      const limited = responses.filter((r) => r.status === 429);
      expect(ok).toHaveLength(25);
      expect(limited).toHaveLength(65);
      for (const r of limited) {
        expect(r.body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      }
      const remainings = ok.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b);
      expect(remainings).toEqual(Array.from({ length: 25 }, (_, i) => i));
    });

    it('sends X-RateLimit-* and IETF RateLimit headers on every authenticated response, errors included', async () => {
      const t = await createTenant(stack.gatewayUrl, { plan: 'pro' });
      const ok = await t.api.get('/v1/me');
      expect(ok.headers.get('x-ratelimit-limit')).toBe('500');
      expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBe(499);
      expect(Number(ok.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(ok.headers.get('ratelimit-policy')).toBe('"minute";q=500;w=60, "day";q=50000;w=86400');
      expect(ok.headers.get('ratelimit')).toMatch(/^"minute";r=498;t=\d+$|^"minute";r=499;t=\d+$/);
      const notFound = await t.api.get('/v1/contacts/con_01JD0000000000000000000000');
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('x-ratelimit-limit')).toBe('500');
    });

    it('limits each key separately: another key of the tenant is unaffected', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const a = await t.createKey({ name: 'a', rate_limit_per_minute: 2 });
      const b = await t.createKey({ name: 'b', rate_limit_per_minute: 2 });
      const ca = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${a.key}` });
      const cb = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${b.key}` });
      expect([(await ca.get('/v1/me')).status, (await ca.get('/v1/me')).status, (await ca.get('/v1/me')).status]).toEqual([200, 200, 429]);
      expect((await cb.get('/v1/me')).status).toBe(200);
    });
  });

  describe('idempotency keys', () => {
    it('creates exactly one contact for concurrent duplicates and replays the first response byte for byte', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const body = contactInput();
      const key = `idem-${Date.now()}`;
      const gateways = ['gateway', 'gateway-2', 'gateway-3'].map((g) => new ApiClient(stack.get(g).url, { authorization: `Bearer ${t.apiKey}` }));
      const raw = async (client: ApiClient) => {
        const res = await fetch(`${client.baseUrl}/v1/contacts`, {
          method: 'POST',
          headers: { ...client.defaultHeaders, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        });
        return { status: res.status, text: await res.text(), replayed: res.headers.get('idempotent-replayed') };
      };
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => raw(gateways[i % 3]!)));
      const created = results.filter((r) => r.status === 201 && r.replayed === null);
      expect(created).toHaveLength(1);
      for (const r of results) expect([201, 409]).toContain(r.status);
      for (const r of results.filter((x) => x.status === 409)) expect(JSON.parse(r.text).error.code).toBe('idempotency_key_in_flight');
      for (const r of results.filter((x) => x.status === 201 && x.replayed)) expect(r.text).toBe(created[0]!.text);

      const replay = await raw(gateways[1]!);
      expect(replay.status).toBe(201);
      expect(replay.replayed).toBe('true');
      expect(replay.text).toBe(created[0]!.text);

      const list = await t.api.get(`/v1/contacts/${JSON.parse(created[0]!.text).data.id}`);
      expect(list.status).toBe(200);
    });

    it('refuses the same key with a different body with 422', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const key = `idem-reuse-${Date.now()}`;
      const first = await t.api.post('/v1/contacts', contactInput(), { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const second = await t.api.post('/v1/contacts', contactInput(), { 'idempotency-key': key });
      expect(second.status).toBe(422);
      expect(second.body.error.code).toBe('idempotency_key_reuse');
    });

    it('scopes keys per tenant: another tenant may use the same key', async () => {
      const a = await createTenant(stack.gatewayUrl);
      const b = await createTenant(stack.gatewayUrl);
      const key = `shared-${Date.now()}`;
      expect((await a.api.post('/v1/contacts', contactInput(), { 'idempotency-key': key })).status).toBe(201);
      const res = await b.api.post('/v1/contacts', contactInput(), { 'idempotency-key': key });
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    });

    it('never writes twice when the gateway has lost the key (a 504, a crashed gateway): the service ledger answers', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const contact = (await t.api.post('/v1/contacts', contactInput())).body.data;
      const key = `idem-lost-${Date.now()}`;
      const path = `/v1/contacts/${contact.id}/activities`;
      const first = await t.api.post(path, { type: 'purchase', properties: { sku: 'A-1' } }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      // What a 504 or an expired in-flight claim leaves behind: no record of the key at any gateway.
      const forget = async () => {
        const redis = new Redis(REDIS_URL);
        try {
          const records = await redis.keys(`${KAFKA_NAMESPACE}:idem:${t.tenantId}:*`);
          expect(records.length).toBeGreaterThan(0);
          await redis.del(...records);
        } finally {
          redis.disconnect();
        }
      };
      await forget();
      const retry = await t.api.post(path, { type: 'purchase', properties: { sku: 'A-1' } }, { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.body.data).toEqual(first.body.data);
      await forget();
      const other = await t.api.post(path, { type: 'purchase', properties: { sku: 'B-2' } }, { 'idempotency-key': key });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('idempotency_key_reuse');
      const activities = await t.api.get(path);
      expect(activities.body.data).toHaveLength(1);
    });

    it('does not keep a failed validation: the key can be retried with a corrected body', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const key = `idem-fix-${Date.now()}`;
      expect((await t.api.post('/v1/contacts', { email: 'nope' }, { 'idempotency-key': key })).status).toBe(400);
      expect((await t.api.post('/v1/contacts', contactInput(), { 'idempotency-key': key })).status).toBe(201);
    });
  });

  describe('request hygiene', () => {
    it('sets security headers and answers CORS preflight for configured origins only', async () => {
      const res = await fetch(`${stack.gatewayUrl}/v1/health`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const preflight = await fetch(`${stack.gatewayUrl}/v1/contacts`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      const foreign = await fetch(`${stack.gatewayUrl}/v1/health`, { headers: { origin: 'https://evil.example' } });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('keeps a valid client X-Request-Id and replaces an invalid one', async () => {
      const t = await createTenant(stack.gatewayUrl);
      const kept = await t.api.get('/v1/me', { 'x-request-id': 'my-trace-0001' });
      expect(kept.headers.get('x-request-id')).toBe('my-trace-0001');
      const replaced = await t.api.get('/v1/me', { 'x-request-id': 'bad id with spaces' });
      expect(replaced.headers.get('x-request-id')).toMatch(/^req_/);
    });
  });
});
