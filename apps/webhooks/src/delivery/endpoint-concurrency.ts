/**
 * Caps the deliveries in flight to one endpoint across every replica, so a
 * slow receiver holds at most that many worker slots and cannot starve the
 * others. Slots are leases in a Redis sorted set: a crashed worker's slot
 * frees itself when its lease runs out.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

type WithAcquire = Redis & { webhookSlotAcquire(key: string, now: number, leaseMs: number, cap: number, token: string): Promise<number> };

export class EndpointConcurrency {
  private readonly redis: WithAcquire;

  constructor(
    redis: Redis,
    private readonly cap: number,
    private readonly leaseMs: number,
  ) {
    redis.defineCommand('webhookSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis = redis as WithAcquire;
  }

  private key(endpointId: string): string {
    return `${WEBHOOK_QUEUE_PREFIX}:slots:${endpointId}`;
  }

  /** A release function when a slot was free, otherwise undefined. */
  async tryAcquire(endpointId: string): Promise<(() => Promise<void>) | undefined> {
    const token = randomBytes(8).toString('hex');
    const key = this.key(endpointId);
    const got = await this.redis.webhookSlotAcquire(key, Date.now(), this.leaseMs, this.cap, token);
    if (got !== 1) return undefined;
    return async () => {
      await this.redis.zrem(key, token);
    };
  }
}
