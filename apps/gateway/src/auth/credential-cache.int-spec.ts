/** The CredentialCache on real Redis and a real Redis Cluster: memory in front of Redis, eviction by key id, tombstones. */
import Redis, { Cluster } from 'ioredis';
import { REDIS_CLUSTER_NODES, REDIS_URL, uniqueSuffix, verifiedApiKey } from '@sigil/testing';
import type { GatewayConfig } from '../config';
import { CredentialCache } from './credential-cache';

const config = { KEY_CACHE_MEMORY_TTL_SECONDS: 30, KEY_CACHE_REDIS_TTL_SECONDS: 300, KEY_CACHE_MAX_ENTRIES: 100 } as GatewayConfig;

const key = (id: string) => verifiedApiKey({ key_id: id });

describe.each([
  ['Redis', () => new Redis(REDIS_URL)],
  ['a Redis Cluster of three masters', () => new Cluster(REDIS_CLUSTER_NODES)],
])('CredentialCache on %s', (_, connect: () => Redis | Cluster) => {
  const redis = connect();

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
