/**
 * The gateway on a real Redis Cluster of three masters (tools/infra, ports
 * 7000–7002; `REDIS_CLUSTER_NODES`), through HTTP (issue #14): the rate
 * limiter's two windows of one subject share a hash tag, so limiting works
 * (429 with `Retry-After`, never the fail-closed 503 a CROSSSLOT error would
 * cause); Idempotency-Key replays, the credential cache and revocation work;
 * and the gateway's keys really are on the cluster, spread over its masters.
 */
import { Cluster } from 'ioredis';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { ApiClient, createTenant, eventually, REDIS_CLUSTER_NODES, TestStack, type TestTenant } from '@sigil/testing';

describe('gateway on a Redis Cluster', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let cluster: Cluster;

  beforeAll(async () => {
    const nodes = REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',');
    // No REDIS_URL that works: were the gateway to fall back to a single Redis, every request would fail.
    stack = await TestStack.start({
      services: ['keys', 'contacts', 'gateway'],
      serviceEnv: { gateway: { REDIS_CLUSTER_NODES: nodes, REDIS_URL: 'redis://127.0.0.1:1' } },
    });
    tenant = await createTenant(stack.gatewayUrl);
    cluster = new Cluster(REDIS_CLUSTER_NODES);
  });

  afterAll(async () => {
    await cluster?.quit();
    await stack?.close();
  });

  it('limits a key per minute with 429 and Retry-After, not 503', async () => {
    const { key } = await tenant.createKey({ name: 'limited', rate_limit_per_minute: 3 });
    const api = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}` });
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) answers.push((await api.get('/v1/me')).status);
    expect(answers).toEqual([200, 200, 200, 429]);
    const refused = await api.get('/v1/me');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-policy')).toContain('"minute";q=3;w=60');
  });

  it('replays an Idempotency-Key and refuses its reuse for another request', async () => {
    const idem = { 'idempotency-key': `cluster-${Date.now()}` };
    const first = await tenant.api.post('/v1/contacts', { email: `c.${Date.now()}@example.com` }, idem);
    expect(first.status).toBe(201);
    const replay = await tenant.api.post('/v1/contacts', { email: first.body.data.email }, idem);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.data.id).toBe(first.body.data.id);
    const reuse = await tenant.api.post('/v1/contacts', { email: `other.${Date.now()}@example.com` }, idem);
    expect(reuse.status).toBe(422);
  });

  it('stops honouring a revoked key', async () => {
    const { id, key } = await tenant.createKey({ name: 'to revoke' });
    const api = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}` });
    expect((await api.get('/v1/me')).status).toBe(200);
    expect((await tenant.api.delete(`/v1/api-keys/${id}`)).status).toBe(204);
    expect(
      await eventually(
        async () => (await api.get('/v1/me')).status,
        (s) => s === 401,
        5000,
      ),
    ).toBe(401);
  });

  it('keeps its keys on the cluster, a subject’s windows in one slot', async () => {
    const keys = (await Promise.all(cluster.nodes('master').map((node) => node.keys(`${KAFKA_NAMESPACE}:*`)))).map((k) => k.sort());
    const all = keys.flat();
    expect(all.some((k) => k.includes(':rl:{'))).toBe(true);
    expect(all.some((k) => k.includes(':keycache:'))).toBe(true);
    // Spread over the masters (hash tags differ by subject), each subject's windows side by side.
    expect(keys.filter((k) => k.length > 0).length).toBeGreaterThan(1);
    for (const masterKeys of keys) {
      for (const k of masterKeys.filter((x) => x.includes(':rl:{'))) {
        const tag = k.slice(k.indexOf('{'), k.indexOf('}') + 1);
        expect(all.filter((x) => x.includes(tag)).every((x) => masterKeys.includes(x))).toBe(true);
      }
    }
  });
});
