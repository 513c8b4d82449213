/**
 * Per-IP limits on the public signup route and against API-key guessing, and
 * failing closed (then recovering) when Redis is down. A file of its own: its
 * Kafka namespace, and so its Redis counters, are not shared with other tests.
 */
import { ApiClient, createTenant, pollUntil, PrivateRedis, TestStack } from '@sigil/testing';

describe('gateway limits on public routes and brute force', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      services: ['keys', 'gateway'],
      serviceEnv: { gateway: { SIGNUP_LIMIT_PER_IP_PER_HOUR: '2', AUTH_FAILURES_PER_IP_PER_MINUTE: '5' } },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('limits signups per IP', async () => {
    const anon = new ApiClient(stack.gatewayUrl);
    const attempt = (i: number) => anon.post('/v1/auth/signup', { email: `ip${i}.${Date.now()}@example.com`, password: 'Correct-Horse-42', organization_name: 'x' });
    expect((await attempt(1)).status).toBe(201);
    expect((await attempt(2)).status).toBe(201);
    const third = await attempt(3);
    expect(third.status).toBe(429);
    // The limit is per hour, and every part of the answer says so (issue #21: it called itself per-minute).
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(third.body.error.message).toContain('per-hour limit of 2');
    expect(third.body.error.retry_after).toBe(retryAfter);
    expect(third.headers.get('ratelimit-policy')).toBe('"hour";q=2;w=3600');
    expect(third.headers.get('ratelimit')).toBe(`"hour";r=0;t=${retryAfter}`);
  });

  it('refuses an IP that keeps presenting bad keys, even with a good key afterwards', async () => {
    const anon = new ApiClient(stack.gatewayUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await anon.get('/v1/me', { authorization: 'Bearer sg_live_0000000000000000000000000000000000000000AAAAAA' })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const refused = await anon.get('/v1/me', { authorization: 'Bearer sg_live_0000000000000000000000000000000000000000AAAAAA' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.error.message).toContain('per-minute limit of 5');
  });
});

describe('gateway when Redis is down', () => {
  let stack: TestStack;
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stack = await TestStack.start({ services: ['keys', 'gateway'], serviceEnv: { gateway: { REDIS_URL: redis.url } } });
  });

  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('fails closed with 503 rate_limiter_unavailable and recovers by itself', async () => {
    const t = await createTenant(stack.gatewayUrl);
    expect((await t.api.get('/v1/me')).status).toBe(200);
    await redis.stop();
    const down = await t.api.get('/v1/me');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('rate_limiter_unavailable');
    await redis.start();
    const status = await pollUntil(
      async () => (await t.api.get('/v1/me')).status,
      (s) => s === 200,
      { timeoutMs: 15_000, stepMs: 200 },
    );
    expect(status).toBe(200);
  });
});
