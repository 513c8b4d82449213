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
 *
 * The released slot is handed to the job it wakes (a reservation, `job:<id>`
 * in the same set, counted against the cap) rather than freed: a freed slot
 * was taken by whichever new job came first, the woken one found the endpoint
 * full again and parked at the back of the line — under a steady 200 events/s
 * to one endpoint, deliveries went round that loop until p99 was 13 s. Now
 * the line is first come, first served, and a woken job always finds its
 * slot. A reservation whose job never comes (stale entry, crash) expires after
 * `RESERVE_MS`, or passes to the next parked job when the wake finds nobody.
 *
 * Handing a slot to a parked job costs the slot a round through the queue
 * (promote, a worker's fetch, the delivery's load) during which it carries
 * nothing, and the woken job that work again: for a fast endpoint at its cap
 * that dead time, not the receiver, bounded its rate, and every delivery went
 * round it (a fast endpoint beside a slow one: nearly all parked, p99 in
 * seconds). So a job that finds the endpoint full while nobody is parked may
 * first wait **in this process** (`WEBHOOK_SLOT_WAIT`, 250 ms; at most `cap` jobs per
 * endpoint): a release in this process hands its slot straight to the oldest
 * local waiter (the lease renewed, one Redis call), and only a waiter that is
 * not served in time parks as above. Waiting jobs hold worker slots, which is
 * why the wait is short and bounded: a slow endpoint's waiters give up after
 * the wait and park, and once anyone is parked, newcomers park behind
 * them at once (FIFO), so the local line forms only while it is moving.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';

/** How long a parked job waits at most before it tries again by itself. */
export const PARK_MS = 30_000;

/** How long a slot handed to a woken job waits for it. */
export const RESERVE_MS = 5_000;

// KEYS: slots, parked. ARGV: now, leaseMs, cap, token, job id to park ('' = don't), may wait locally ('1').
// A slot reserved for this job (handed over by a release) is taken whatever the count. 1: acquired; 0: parked
// (or full); 2: full with nobody parked, and the caller may wait for a release in its own process (not parked).
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[5] ~= '' and redis.call('ZREM', KEYS[1], 'job:' .. ARGV[5]) == 1 then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if ARGV[6] == '1' and redis.call('LLEN', KEYS[2]) == 0 then return 2 end
if ARGV[5] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[5])
  redis.call('PEXPIRE', KEYS[2], 86400000)
end
return 0`;

// KEYS: slots, parked. ARGV: member to remove (a token, or 'job:<id>' of a stale reservation), now, reserveMs.
// Gives the slot to the oldest parked job (reserved for it) and returns that job's id; frees it when none waits.
const RELEASE = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return false end
local next = redis.call('LPOP', KEYS[2])
if next then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), 'job:' .. next)
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
end
return next`;

// KEYS: slots. ARGV: token, now, leaseMs. The holder hands its slot to a job of its own process: the lease starts
// again. 0 when the token is gone (its lease ran out): there is nothing to hand over.
const HAND_OVER = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

type WithScripts = Redis & {
  webhookSlotAcquire(slots: string, parked: string, now: number, leaseMs: number, cap: number, token: string, jobId: string, mayWait: string): Promise<number>;
  webhookSlotRelease(slots: string, parked: string, member: string, now: number, reserveMs: number): Promise<string | null>;
  webhookSlotHandOver(slots: string, token: string, now: number, leaseMs: number): Promise<number>;
};

/** A job of this process waiting for a slot of an endpoint: handed a slot's token, or undefined when not served in time. */
interface LocalWaiter {
  resolve: (token: string | undefined) => void;
  timer: NodeJS.Timeout;
}

/** Promotes a parked job; false when it is no longer waiting (stale entry), so the next one is tried. */
export type WakeParked = (jobId: string) => Promise<boolean>;

const MAX_WAKE_TRIES = 10;

export class EndpointConcurrency {
  private readonly redis: WithScripts;
  /** This process's jobs waiting for a slot, per endpoint, oldest first. */
  private readonly waiting = new Map<string, LocalWaiter[]>();

  /** `localWaitMs`: how long a job may wait in this process for a local release before parking (0: park at once). */
  constructor(
    redis: Redis,
    private readonly cap: number,
    private readonly leaseMs: number,
    private readonly wake?: WakeParked,
    private readonly localWaitMs = 0,
  ) {
    redis.defineCommand('webhookSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('webhookSlotRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('webhookSlotHandOver', { numberOfKeys: 1, lua: HAND_OVER });
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
    const mayWait = parkJobId !== undefined && this.localWaitMs > 0 && (this.waiting.get(endpointId)?.length ?? 0) < cap;
    const got = await this.redis.webhookSlotAcquire(slots, parked, Date.now(), this.leaseMs, cap, token, parkJobId ?? '', mayWait ? '1' : '0');
    if (got === 1) return this.releaseOf(endpointId, token);
    if (got !== 2) return undefined;
    // Others of this process may have joined the line while the call was out: it stays at most `cap` long.
    const handed = (this.waiting.get(endpointId)?.length ?? 0) < cap ? await this.waitLocally(endpointId) : undefined;
    if (handed) return this.releaseOf(endpointId, handed);
    // Not served in time: take a slot freed meanwhile, or park behind whoever parked since.
    const again = await this.redis.webhookSlotAcquire(slots, parked, Date.now(), this.leaseMs, cap, token, parkJobId!, '0');
    return again === 1 ? this.releaseOf(endpointId, token) : undefined;
  }

  /**
   * A job that will not use a slot reserved for it (its delivery turned out skipped: disabled endpoint, superseded,
   * already settled): the slot passes to the next in line now rather than idling until the reservation expires, which
   * would also leave the line without anyone to wake it. A no-op when the job holds no reservation.
   */
  async forgo(endpointId: string, jobId: string): Promise<void> {
    const [slots, parked] = this.keys(endpointId);
    await this.passOn(slots, parked, `job:${jobId}`);
  }

  /** Waits up to `localWaitMs` for a release of this endpoint in this process to hand its slot over. */
  private waitLocally(endpointId: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      const line = this.waiting.get(endpointId) ?? [];
      this.waiting.set(endpointId, line);
      const waiter: LocalWaiter = {
        resolve,
        timer: setTimeout(() => {
          const i = line.indexOf(waiter);
          if (i >= 0) line.splice(i, 1);
          if (!line.length && this.waiting.get(endpointId) === line) this.waiting.delete(endpointId);
          resolve(undefined);
        }, this.localWaitMs),
      };
      line.push(waiter);
    });
  }

  /**
   * What releases the slot `token`: handed to the oldest job of this process waiting for one (its lease renewed),
   * else to the oldest parked job (reserved for it, and the job promoted), else freed.
   */
  private releaseOf(endpointId: string, token: string): () => Promise<void> {
    const [slots, parked] = this.keys(endpointId);
    return async () => {
      const line = this.waiting.get(endpointId);
      const waiter = line?.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        if (!line!.length) this.waiting.delete(endpointId);
        const handed = await this.redis.webhookSlotHandOver(slots, token, Date.now(), this.leaseMs).catch(() => 0);
        // A lapsed lease has nothing to hand over: the waiter tries to acquire (or parks) by itself.
        waiter.resolve(handed === 1 ? token : undefined);
        return;
      }
      await this.passOn(slots, parked, token);
    };
  }

  /** Removes `member` (a token, or a reservation) and hands its slot to the oldest parked job, woken; frees it when none waits. */
  private async passOn(slots: string, parked: string, member: string): Promise<void> {
    let next = await this.redis.webhookSlotRelease(slots, parked, member, Date.now(), RESERVE_MS);
    // A stale entry (the job finished or is gone): its reservation passes to the next in line.
    for (let tries = 1; next && this.wake && !(await this.wake(next)) && tries < MAX_WAKE_TRIES; tries++) {
      next = await this.redis.webhookSlotRelease(slots, parked, `job:${next}`, Date.now(), RESERVE_MS);
    }
  }

  /** Jobs of this process waiting for a slot of the endpoint (tests). */
  waitingHere(endpointId: string): number {
    return this.waiting.get(endpointId)?.length ?? 0;
  }

  /** Parked job ids of an endpoint, oldest first (tests, operators). */
  async parked(endpointId: string): Promise<string[]> {
    return this.redis.lrange(this.keys(endpointId)[1], 0, -1);
  }
}
