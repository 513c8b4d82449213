/**
 * Two-level cache of verified API keys, keyed by the secret's SHA-256:
 * process memory (short TTL) in front of Redis (shared by replicas). An
 * eviction by key id leaves a tombstone, so an answer fetched before the
 * revocation can never re-enter the cache afterwards. No command spans two
 * keys of different slots (the index of a key id is hash-tagged by that id),
 * so it works on a Redis Cluster too.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { KAFKA_NAMESPACE, type VerifiedApiKey } from '@sigil/contracts';
import { REDIS } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface CachedKey {
  key: VerifiedApiKey;
  /** Gateway time at which the keys service was asked: answers older than a tombstone are stale. */
  fetched_at: number;
}

interface MemoryEntry {
  value: CachedKey;
  until: number;
}

@Injectable()
export class CredentialCache {
  private readonly memory = new Map<string, MemoryEntry>();
  private readonly hashesById = new Map<string, Set<string>>();
  private readonly tombstones = new Map<string, number>();
  private readonly prefix = `${KAFKA_NAMESPACE}:keycache`;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | Cluster,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  getMemory(hash: string, now = Date.now()): CachedKey | undefined {
    const entry = this.memory.get(hash);
    if (!entry) return undefined;
    if (entry.until <= now || this.isStale(entry.value)) {
      this.memory.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  async getShared(hash: string): Promise<CachedKey | undefined> {
    const raw = await this.redis.get(`${this.prefix}:${hash}`);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as CachedKey;
    if (this.isStale(value)) return undefined;
    this.remember(hash, value);
    return value;
  }

  async put(hash: string, value: CachedKey): Promise<void> {
    if (this.isStale(value)) return;
    this.remember(hash, value);
    const ttl = this.config.KEY_CACHE_REDIS_TTL_SECONDS;
    const indexKey = this.indexKey(value.key.key_id);
    // Two slots, so not one transaction: a value written after a racing eviction is refused by the tombstones.
    await Promise.all([this.redis.multi().sadd(indexKey, hash).expire(indexKey, ttl).exec(), this.redis.set(`${this.prefix}:${hash}`, JSON.stringify(value), 'EX', ttl)]);
  }

  /** Forgets every secret of a key, here and in Redis (called on revoke/rotate/update events). */
  async evict(keyId: string, now = Date.now()): Promise<void> {
    this.tombstones.set(keyId, now);
    const indexKey = this.indexKey(keyId);
    const hashes = await this.redis.smembers(indexKey);
    await Promise.all([...hashes.map((h) => this.redis.unlink(`${this.prefix}:${h}`)), this.redis.unlink(indexKey)]);
    this.evictMemory(keyId);
    this.pruneTombstones(now);
  }

  private indexKey(keyId: string): string {
    return `${this.prefix}:id:{${keyId}}`;
  }

  private evictMemory(keyId: string): void {
    for (const hash of this.hashesById.get(keyId) ?? []) this.memory.delete(hash);
    this.hashesById.delete(keyId);
  }

  private remember(hash: string, value: CachedKey): void {
    if (this.memory.size >= this.config.KEY_CACHE_MAX_ENTRIES) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
    this.memory.set(hash, { value, until: Date.now() + this.config.KEY_CACHE_MEMORY_TTL_SECONDS * 1000 });
    const set = this.hashesById.get(value.key.key_id) ?? new Set<string>();
    set.add(hash);
    this.hashesById.set(value.key.key_id, set);
  }

  private isStale(value: CachedKey): boolean {
    const tomb = this.tombstones.get(value.key.key_id);
    return tomb !== undefined && value.fetched_at <= tomb;
  }

  private pruneTombstones(now: number): void {
    // A tombstone only has to outlive every cache entry fetched before it.
    const horizon = now - this.config.KEY_CACHE_REDIS_TTL_SECONDS * 1000;
    for (const [id, at] of this.tombstones) if (at < horizon) this.tombstones.delete(id);
  }
}
