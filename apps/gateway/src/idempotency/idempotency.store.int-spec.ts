/** The IdempotencyStore on real Redis and a Redis Cluster: claim, replay as a value (no exception), 409, 422, release. */
import Redis, { Cluster } from 'ioredis';
import type { RequestContext } from '@sigil/contracts';
import { DomainError } from '@sigil/platform';
import { REDIS_CLUSTER_NODES, REDIS_URL, uniqueSuffix } from '@sigil/testing';
import { IdempotencyStore } from './idempotency.store';

describe.each([
  ['Redis', () => new Redis(REDIS_URL)],
  ['a Redis Cluster of three masters', () => new Cluster(REDIS_CLUSTER_NODES)],
])('IdempotencyStore on %s', (_, connect: () => Redis | Cluster) => {
  const redis = connect();
  const store = new IdempotencyStore(redis);
  const ctx: RequestContext = { tenant_id: `ten_${uniqueSuffix()}`, mode: 'live', request_id: 'req_1' };
  const fp = IdempotencyStore.fingerprint('POST', '/v1/contacts', { email: 'a@b.co' });

  afterAll(async () => {
    await redis.quit();
  });

  async function errorOf(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'none';
    } catch (err) {
      return err instanceof DomainError ? `${err.status} ${err.code}` : String(err);
    }
  }

  it('claims a new key, refuses a duplicate in flight (409) and another request under it (422)', async () => {
    const key = `k-${uniqueSuffix()}`;
    const first = await store.claim(ctx, key, fp);
    expect(first.kind).toBe('claimed');
    expect(await errorOf(store.claim(ctx, key, fp))).toBe('409 idempotency_key_in_flight');
    expect(await errorOf(store.claim(ctx, key, IdempotencyStore.fingerprint('POST', '/v1/contacts', { email: 'other@b.co' })))).toBe('422 idempotency_key_reuse');
  });

  it('returns the stored response to replay once complete, byte for byte', async () => {
    const key = `k-${uniqueSuffix()}`;
    const first = await store.claim(ctx, key, fp);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.complete(first.claim, 201, 'application/json; charset=utf-8', '{"data":{"id":"con_1"}}');
    const again = await store.claim(ctx, key, fp);
    expect(again).toEqual({
      kind: 'replay',
      stored: { state: 'done', fingerprint: fp, status: 201, content_type: 'application/json; charset=utf-8', body: '{"data":{"id":"con_1"}}' },
    });
  });

  it('releases the key after a server error, a 400, a 429 or a service still in flight, so the retry runs', async () => {
    for (const [status, body] of [
      [503, '{}'],
      [400, '{}'],
      [429, '{}'],
      [409, '{"error":{"code":"idempotency_key_in_flight"}}'],
    ] as const) {
      const key = `k-${uniqueSuffix()}`;
      const first = await store.claim(ctx, key, fp);
      if (first.kind !== 'claimed') throw new Error('not claimed');
      await store.complete(first.claim, status, 'application/json', body);
      expect((await store.claim(ctx, key, fp)).kind).toBe('claimed');
    }
  });

  it('scopes keys per tenant and mode, and refuses a malformed key with 400', async () => {
    const key = `k-${uniqueSuffix()}`;
    expect((await store.claim(ctx, key, fp)).kind).toBe('claimed');
    expect((await store.claim({ ...ctx, mode: 'test' }, key, fp)).kind).toBe('claimed');
    expect((await store.claim({ ...ctx, tenant_id: `ten_${uniqueSuffix()}` }, key, fp)).kind).toBe('claimed');
    expect(await errorOf(store.claim(ctx, 'has space', fp))).toBe('400 validation_failed');
  });
});
