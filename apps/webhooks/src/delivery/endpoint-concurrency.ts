/**
 * Caps the deliveries in flight to one endpoint across every replica, so a
 * slow receiver holds at most that many worker slots and cannot starve the
 * others. Slots are leases in a Redis sorted set: a crashed worker's slot
 * frees itself when its lease runs out.
 *
 * A delivery that finds every slot taken is *parked*: its job id joins the
 * endpoint's FIFO (atomically with the failed acquire) and the job waits in
 * BullMQ's delayed set, holding no worker. Each released slot wakes the
 * oldest parked job (`wake`, which promotes it). So a backlog of thousands
 * for a slow endpoint costs nothing while it waits — polling it instead
 * (retry every few hundred ms) made the workers spend their time on it and
 * starved every other endpoint. A parked job also wakes on its own after
 * `PARK_MS`: a wake-up lost to a crash costs delay, never a delivery.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';

/** How long a parked job waits at most before it tries again by itself. */
export const PARK_MS = 30_000;

// KEYS: slots, parked. ARGV: now, leaseMs, cap, token, job id to park ('' = don't).
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[5])
  redis.call('PEXPIRE', KEYS[2], 86400000)
end
return 0`;

// KEYS: slots, parked. ARGV: token. Frees the slot and hands back the oldest parked job id.
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('LPOP', KEYS[2])`;

type WithScripts = Redis & {
  webhookSlotAcquire(slots: string, parked: string, now: number, leaseMs: number, cap: number, token: string, jobId: string): Promise<number>;
  webhookSlotRelease(slots: string, parked: string, token: string): Promise<string | null>;
};

/** Promotes a parked job; false when it is no longer waiting (stale entry), so the next one is tried. */
export type WakeParked = (jobId: string) => Promise<boolean>;

const MAX_WAKE_TRIES = 10;

export class EndpointConcurrency {
  private readonly redis: WithScripts;

  constructor(
    redis: Redis,
    private readonly cap: number,
    private readonly leaseMs: number,
    private readonly wake?: WakeParked,
  ) {
    redis.defineCommand('webhookSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('webhookSlotRelease', { numberOfKeys: 2, lua: RELEASE });
    this.redis = redis as WithScripts;
  }

  private keys(endpointId: string): [string, string] {
    // One hash tag: both keys of a script live on the same Redis Cluster slot.
    return [`${WEBHOOK_QUEUE_PREFIX}:slots:{${endpointId}}`, `${WEBHOOK_QUEUE_PREFIX}:parked:{${endpointId}}`];
  }

  /**
   * A release function when a slot was free (`cap`: the endpoint's `max_in_flight`, or the default). Otherwise undefined, and
   * `parkJobId` (if given) is queued to be woken when a slot frees.
   */
  async tryAcquire(endpointId: string, parkJobId?: string, cap = this.cap): Promise<(() => Promise<void>) | undefined> {
    const token = randomBytes(8).toString('hex');
    const [slots, parked] = this.keys(endpointId);
    const got = await this.redis.webhookSlotAcquire(slots, parked, Date.now(), this.leaseMs, cap, token, parkJobId ?? '');
    if (got !== 1) return undefined;
    return async () => {
      let next = await this.redis.webhookSlotRelease(slots, parked, token);
      for (let tries = 1; next && this.wake && !(await this.wake(next)) && tries < MAX_WAKE_TRIES; tries++) {
        next = await this.redis.lpop(parked);
      }
    };
  }

  /** Parked job ids of an endpoint, oldest first (tests, operators). */
  async parked(endpointId: string): Promise<string[]> {
    return this.redis.lrange(this.keys(endpointId)[1], 0, -1);
  }
}
