/**
 * Caps the deliveries in flight to one endpoint across every replica, so a
 * slow receiver holds at most that many worker slots and cannot starve the
 * others. Slots are leases in a Redis sorted set: a crashed worker's slot
 * frees itself when its lease runs out.
 *
 * A delivery that finds every slot taken is *parked*: its job id joins the
 * endpoint's line (atomically with the failed acquire) and the job waits in
 * BullMQ's delayed set, holding no worker. The line is a sorted set by the
 * time a job first parked, so each job is in it once: it was a list, and a
 * job that woke by itself, found the endpoint full and parked again joined it
 * a second time. Under a backlog (a Kafka fault's, a sustained burst's) the
 * list grew to ~58 000 entries for 4 400 waiting deliveries; every release
 * then woke stale entries (ten tries, then its slot sat reserved for nobody
 * for `RESERVE_MS`), the endpoint's rate collapsed, more jobs woke by
 * themselves and parked again: the chaos runs' "deliveries of one endpoint
 * stopped" (session 11, found on a kept stack). A job leaves the line when it
 * gets a slot. Each released slot wakes the oldest parked job (`wake`, which
 * promotes it). So a backlog of thousands
 * for a slow endpoint costs nothing while it waits — polling it instead
 * (retry every few hundred ms) made the workers spend their time on it and
 * starved every other endpoint. A parked job also wakes on its own, after
 * `PARK_MS` at the head of the line and longer behind (`parkedWaitMs`): a
 * wake-up lost to a crash costs delay, never a delivery.
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
 * A slot's lease is short (`SLOT_LEASE_MS`) and renewed while its attempt runs
 * (every third of it): a process killed while it held slots blocks them for
 * seconds, not for the longest attempt's deadline. With a lease of 45 s (the
 * longest deadline and a margin), a kill -9 while a busy endpoint held all its
 * slots left that endpoint full for 45 s after the restart; every job parked
 * with its 30-s self-wake, and the crash e2e waited one or two rounds of those
 * (it failed once in three runs on main at load 12-27, and every time with the
 * in-process hand-over of 414c2e1, which keeps every slot held under a burst).
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';

/** How long a job at the head of the line waits at most before it tries again by itself (deeper ones wait longer). */
export const PARK_MS = 30_000;

/** The longest a parked job sleeps before it tries again by itself, however deep in the line. */
export const MAX_PARK_MS = 600_000;

/** How long a slot handed to a woken job waits for it. */
export const RESERVE_MS = 5_000;

/** A held slot's lease, renewed every third of it while its attempt runs: what a crashed holder costs the endpoint. */
export const SLOT_LEASE_MS = 10_000;

// KEYS: slots, parked. ARGV: now, leaseMs, cap, token, job id to park ('' = don't), when the job was queued ('' = unknown).
// A slot reserved for this job (handed over by a release) is taken whatever the count. A job that gets a slot leaves
// the parked set; one that parks again keeps its first place: the set holds each waiting job once. A new entry's
// score is when its job was queued, so the line is in queue order (equal times order by job id, which are ULIDs):
// a per_contact delivery that first waited behind its contact's head takes its place among the jobs queued after
// it, instead of the back of the line (see `tryAcquire`). Without that time the score is now, or one more than the
// last entry's when that is not smaller: first come, first served.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local reserved = ARGV[5] ~= '' and redis.call('ZREM', KEYS[1], 'job:' .. ARGV[5]) == 1
if reserved or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  if ARGV[5] ~= '' then redis.call('ZREM', KEYS[2], ARGV[5]) end
  return 1
end
if ARGV[5] ~= '' and not redis.call('ZSCORE', KEYS[2], ARGV[5]) then
  local score = tonumber(ARGV[6])
  if not score then
    score = tonumber(ARGV[1])
    local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')[2]
    if last and tonumber(last) >= score then score = tonumber(last) + 1 end
  end
  redis.call('ZADD', KEYS[2], score, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], 86400000)
end
return 0`;

// KEYS: slots, parked. ARGV: member to remove (a token, or 'job:<id>' of a stale reservation), now, reserveMs.
// Gives the slot to the oldest parked job (reserved for it) and returns that job's id; frees it when none waits.
const RELEASE = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return false end
local next = redis.call('ZPOPMIN', KEYS[2])[1]
if next then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), 'job:' .. next)
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
end
return next`;

// KEYS: slots. ARGV: token, now, leaseMs. Extends a held slot's lease; 0 when it is gone (lapsed, or released).
const RENEW = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

type WithScripts = Redis & {
  webhookSlotAcquire(slots: string, parked: string, now: number, leaseMs: number, cap: number, token: string, jobId: string, queuedAt: number | ''): Promise<number>;
  webhookSlotRelease(slots: string, parked: string, member: string, now: number, reserveMs: number): Promise<string | null>;
  webhookSlotRenew(slots: string, token: string, now: number, leaseMs: number): Promise<number>;
};

/** Promotes a parked job; false when it is no longer waiting (stale entry), so the next one is tried. */
export type WakeParked = (jobId: string) => Promise<boolean>;

const MAX_WAKE_TRIES = 10;

/**
 * A slot's token: unique across replicas (a random prefix per process) and within one (a counter). Drawing 8 random
 * bytes per acquire instead was 1.5 % of the webhooks process's CPU in the sustained bench.
 */
const TOKEN_PREFIX = randomBytes(8).toString('hex');
let tokenCounter = 0;
function newToken(): string {
  return `${TOKEN_PREFIX}.${(++tokenCounter).toString(36)}`;
}

export class EndpointConcurrency {
  private readonly redis: WithScripts;
  /** Lease renewals of the slots this process holds. */
  private readonly renewals = new Set<NodeJS.Timeout>();

  /** `leaseMs`: a held slot's lease, renewed every third of it until released (SLOT_LEASE_MS in the service). */
  constructor(
    redis: Redis,
    private readonly cap: number,
    private readonly leaseMs: number,
    private readonly wake?: WakeParked,
  ) {
    redis.defineCommand('webhookSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('webhookSlotRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('webhookSlotRenew', { numberOfKeys: 1, lua: RENEW });
    this.redis = redis as WithScripts;
  }

  /** Stops renewing the leases of the slots still held (shutdown; a test's stand-in for a crash): they lapse. */
  stopRenewals(): void {
    for (const timer of this.renewals) clearInterval(timer);
    this.renewals.clear();
  }

  private keys(endpointId: string): [string, string] {
    // One hash tag: both keys of a script live on the same Redis Cluster slot.
    // `parked-jobs`, a sorted set (it was the list `parked`, which a job re-parking joined again: see the top).
    return [`${WEBHOOK_QUEUE_PREFIX}:slots:{${endpointId}}`, `${WEBHOOK_QUEUE_PREFIX}:parked-jobs:{${endpointId}}`];
  }

  /**
   * A release function when a slot was free (`cap`: the endpoint's `max_in_flight`, or the default). Otherwise undefined, and
   * `parkJobId` (if given) is queued to be woken when a slot frees: in the line by `queuedAt` (when its job was queued, ms)
   * if given, else at the back.
   *
   * Why by `queuedAt`: once an endpoint has a line, every delivery waits about the line's length. A per_contact
   * delivery whose contact had an earlier one pending first waits for that one's outcome (parked, no slot asked
   * for), and the earlier one had waited the line's length itself; placed at the back when it finally asked for a
   * slot, it waited the whole line a second time, and the next one of the same contact a third (session 17's trace
   * of the bench's `per_contact` case: 1 943 of 3 000 deliveries waited behind their contact's head first, 54 s on
   * average against 30 s for the others). By when it was queued, it waits only for the jobs queued before it.
   */
  async tryAcquire(endpointId: string, parkJobId?: string, cap = this.cap, queuedAt?: number): Promise<(() => Promise<void>) | undefined> {
    const token = newToken();
    const [slots, parked] = this.keys(endpointId);
    const got = await this.redis.webhookSlotAcquire(slots, parked, Date.now(), this.leaseMs, cap, token, parkJobId ?? '', queuedAt ?? '');
    if (got !== 1) return undefined;
    const renewal = setInterval(
      () => {
        void this.redis.webhookSlotRenew(slots, token, Date.now(), this.leaseMs).catch(() => undefined);
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    this.renewals.add(renewal);
    return async () => {
      clearInterval(renewal);
      this.renewals.delete(renewal);
      let next = await this.redis.webhookSlotRelease(slots, parked, token, Date.now(), RESERVE_MS);
      // A stale entry (the job finished or is gone): its reservation passes to the next in line.
      for (let tries = 1; next && this.wake && !(await this.wake(next)) && tries < MAX_WAKE_TRIES; tries++) {
        next = await this.redis.webhookSlotRelease(slots, parked, `job:${next}`, Date.now(), RESERVE_MS);
      }
    };
  }

  /**
   * How long a job just parked sleeps before it tries again by itself: `PARK_MS` for each `cap` jobs ahead of it and
   * its own turn (at most `MAX_PARK_MS`). Releases wake the line in order, so the self-wake is only the safety net for
   * a wake-up lost to a crash, and only the head needs it soon: once it runs, its release wakes the next. A flat
   * 30 s made every job of a 13 000-job line wake by itself every 30 s (~430 loads and parks a second per endpoint,
   * against ~50 deliveries) after a chaos run's Kafka faults, and those wake-ups filled BullMQ's wait list ahead of
   * the jobs the releases woke.
   */
  async parkedWaitMs(endpointId: string, jobId: string, cap = this.cap): Promise<number> {
    const rank = await this.redis.zrank(this.keys(endpointId)[1], jobId);
    if (rank === null) return PARK_MS;
    return Math.min(PARK_MS * (1 + Math.floor(rank / Math.max(1, cap))), MAX_PARK_MS);
  }

  /** Parked job ids of an endpoint, oldest first (tests, operators). */
  async parked(endpointId: string): Promise<string[]> {
    return this.redis.zrange(this.keys(endpointId)[1], 0, -1);
  }
}
