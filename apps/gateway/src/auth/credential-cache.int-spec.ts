/** The CredentialCache on real Redis: memory in front of Redis, eviction by key id, tombstones. */
import Redis from 'ioredis';
import type { VerifiedApiKey } from '@sigil/contracts';
import { REDIS_URL, uniqueSuffix } from '@sigil/testing';
import type { GatewayConfig } from '../config';
import { CredentialCache } from './credential-cache';

const config = { KEY_CACHE_MEMORY_TTL_SECONDS: 30, KEY_CACHE_REDIS_TTL_SECONDS: 300, KEY_CACHE_MAX_ENTRIES: 100 } as GatewayConfig;

function key(id: string): VerifiedApiKey {
  return { key_id: id, tenant: { id: 'ten_1', name: 'T', plan: 'pro' }, environment: 'live', prefix: 'sg_live_xxxx', scopes: ['*'], rate_limit_per_minute: null, expires_at: null, state: 'active' };
}

describe('CredentialCache', () => {
  const redis = new Redis(REDIS_URL);

  afterAll(async () => {
    await redis.quit();
  });

  it('serves from memory, and another replica from Redis', async () => {
    const a = new CredentialCache(redis, config);
    const b = new CredentialCache(redis, config);
    const hash = `h${uniqueSuffix()}`;
    await a.put(hash, { key: key(`key_${uniqueSuffix()}`), fetched_at: Date.now() });
    expect(a.getMemory(hash)?.key.scopes).toEqual(['*']);
    expect(b.getMemory(hash)).toBeUndefined();
    expect((await b.getShared(hash))?.key.scopes).toEqual(['*']);
    expect(b.getMemory(hash)).toBeDefined();
  });

  it('evicts every secret of a key here and in Redis, and refuses answers fetched before the eviction', async () => {
    const cache = new CredentialCache(redis, config);
    const other = new CredentialCache(redis, config);
    const id = `key_${uniqueSuffix()}`;
    const [h1, h2] = [`h${uniqueSuffix()}`, `h${uniqueSuffix()}`];
    const fetchedAt = Date.now() - 10;
    await cache.put(h1, { key: key(id), fetched_at: fetchedAt });
    await cache.put(h2, { key: key(id), fetched_at: fetchedAt });
    await cache.evict(id);
    expect(cache.getMemory(h1)).toBeUndefined();
    expect(await other.getShared(h1)).toBeUndefined();
    expect(await other.getShared(h2)).toBeUndefined();
    // A lookup that started before the revocation cannot re-enter the cache.
    await cache.put(h1, { key: key(id), fetched_at: fetchedAt });
    expect(cache.getMemory(h1)).toBeUndefined();
  });

  it('keeps memory bounded by KEY_CACHE_MAX_ENTRIES', async () => {
    const cache = new CredentialCache(redis, config);
    const hashes = Array.from({ length: 150 }, () => `h${uniqueSuffix()}`);
    for (const h of hashes) await cache.put(h, { key: key(`key_${uniqueSuffix()}`), fetched_at: Date.now() });
    expect(cache.getMemory(hashes[0]!)).toBeUndefined();
    expect(cache.getMemory(hashes[149]!)).toBeDefined();
  });
});
