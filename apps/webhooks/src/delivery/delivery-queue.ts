/**
 * The BullMQ queue of deliveries. A job is one delivery generation: its id
 * is `<delivery id>.<generation>`, so enqueuing the same delivery twice (a
 * redelivered Kafka event, a reconciler sweep) is a no-op, while a manual
 * retry (next generation) gets a fresh job with a full retry schedule.
 */
import Redis from 'ioredis';
import { Queue, type JobsOptions } from 'bullmq';
import { WEBHOOK_DELIVERY_QUEUE, WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';
import { currentTraceparent } from '@sigil/platform';
import { PARK_MS } from './endpoint-concurrency';

export interface DeliveryJobData {
  delivery_id: string;
  generation: number;
  /** W3C traceparent of the span that enqueued it: the delivery continues that request's trace. */
  traceparent?: string;
}

export const BACKOFF_TYPE = 'webhook-schedule';

/**
 * Completed jobs kept in Redis (the newest, at most an hour old); nothing reads them but the dashboard, the
 * delivery rows are the record. Keeping 100 000 per queue made Redis's dataset hundreds of MB, and each automatic
 * AOF rewrite of it took a core for seconds: delivery stalls of 2-6 s (docs/webhooks.md, "Redis's size").
 *
 * A completed job's id is free again once it is trimmed, so adding that id again makes a new job, where a kept one
 * made the add a no-op. That is safe because a job completes only once its delivery is no longer pending in that
 * generation (delivered, skipped, or its endpoint deleted), and every path that queues a job queues a pending
 * delivery's current generation (fan-out's `pendingJobs`, the reconciler's overdue rows — read again once their
 * job is found gone — a contact's new head, retry and recover with a new generation). A job added again in a race
 * (read pending just before it completed) loads the delivery, finds it settled and completes as `skipped`: nothing
 * is sent twice.
 */
export const KEEP_COMPLETED_JOBS = 1000;

export function deliveryJobId(deliveryId: string, generation: number): string {
  return `${deliveryId}.${generation}`;
}

/**
 * BullMQ needs connections that wait for Redis instead of failing commands. `autoPipelining`: the commands issued
 * within one event-loop turn leave in one write (ioredis' auto-pipelining), still in order on the one connection —
 * for the worker's, where each finished job is its own `moveToFinished` script: one write (and one read by Redis)
 * per delivery was 11 % of the webhooks process under the sustained bench, and with the worker's completions of a
 * turn sharing a write that bench went from 1 434 to 1 796 deliveries/s (docs/webhooks.md, session 20). The
 * worker's blocking connection (BZPOPMIN) is a duplicate of it; it only ever has its one blocking command.
 */
export function bullConnection(url: string, name: string, autoPipelining = false): Redis {
  return new Redis(url, { connectionName: `sigil-webhooks-${name}`, maxRetriesPerRequest: null, enableReadyCheck: false, enableAutoPipelining: autoPipelining });
}

// The move of BullMQ's promote (promote-9.lua: delayed → wait, marker, event), with RPUSH instead of LPUSH:
// workers take jobs from the right of the wait list, so the promoted job is the next one taken.
// KEYS: delayed, wait, paused, meta, active, events, marker, woken flag. ARGV: job key prefix, job id[, flag ttl ms].
const TO_FRONT = `
local function toFront(jobId)
  if redis.call('ZREM', KEYS[1], jobId) == 0 then return false end
  local target, maxed = KEYS[2], false
  local meta = redis.call('HMGET', KEYS[4], 'paused', 'concurrency')
  if meta[1] then
    target, maxed = KEYS[3], true
  elseif meta[2] and redis.call('LLEN', KEYS[5]) >= tonumber(meta[2]) then
    maxed = true
  end
  local marker = redis.call('LINDEX', target, 0)
  if marker and string.sub(marker, 1, 2) == '0:' then redis.call('LPOP', target) end
  redis.call('RPUSH', target, jobId)
  if not maxed then redis.call('ZADD', KEYS[7], 0, '0') end
  redis.call('XADD', KEYS[6], '*', 'event', 'waiting', 'jobId', jobId, 'prev', 'delayed')
  redis.call('HSET', ARGV[1] .. jobId, 'delay', 0)
  return true
end`;

// Delayed: to the front (1). Active: flag it for afterParking (1). Gone, finished or waiting: 0.
const WAKE = `${TO_FRONT}
if toFront(ARGV[2]) then return 1 end
if redis.call('LPOS', KEYS[5], ARGV[2]) then
  redis.call('SET', KEYS[8], '1', 'PX', ARGV[3])
  return 1
end
return 0`;

const AFTER_PARKING = `${TO_FRONT}
if redis.call('DEL', KEYS[8]) == 1 then toFront(ARGV[2]) end
return 1`;

type WakeKeys = [delayed: string, wait: string, paused: string, meta: string, active: string, events: string, marker: string, woken: string];

type WithScripts = Redis & {
  webhookWakeJob(...args: [...WakeKeys, prefix: string, jobId: string, flagMs: number]): Promise<number>;
  webhookAfterParking(...args: [...WakeKeys, prefix: string, jobId: string]): Promise<number>;
};

export class DeliveryQueue {
  readonly queue: Queue<DeliveryJobData>;
  private readonly connection: Redis;
  private readonly scripts: WithScripts;
  /**
   * The same queue on a connection of its own, for deliveries a person waits for (a test, a manual retry):
   * ioredis sends a connection's commands in order, so on the shared one such an add waited behind every job
   * a fan-out was adding (thousands, each an EVALSHA), and the request answered 504 while Redis was slow
   * (the long fuzz run of session 14: `send_test` handlers took 5-25 s with 2.6 M jobs waiting).
   */
  private readonly interactiveConnection: Redis;
  private readonly interactive: Queue<DeliveryJobData>;

  /** `keepCompleted`: completed jobs kept (tests lower it). */
  constructor(redisUrl: string, maxAttempts: number, keepCompleted = KEEP_COMPLETED_JOBS) {
    this.connection = bullConnection(redisUrl, 'queue');
    const defaultJobOptions: JobsOptions = {
      attempts: maxAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: 3600, count: keepCompleted },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
    this.queue = new Queue<DeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, { connection: this.connection, prefix: WEBHOOK_QUEUE_PREFIX, defaultJobOptions });
    this.interactiveConnection = bullConnection(redisUrl, 'queue-interactive');
    this.interactive = new Queue<DeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, { connection: this.interactiveConnection, prefix: WEBHOOK_QUEUE_PREFIX, defaultJobOptions });
    this.connection.defineCommand('webhookWakeJob', { numberOfKeys: 8, lua: WAKE });
    this.connection.defineCommand('webhookAfterParking', { numberOfKeys: 8, lua: AFTER_PARKING });
    this.scripts = this.connection as WithScripts;
  }

  /** Resolves once every job is stored in Redis. */
  async enqueue(deliveries: readonly DeliveryJobData[]): Promise<void> {
    if (!deliveries.length) return;
    await this.queue.addBulk(deliveries.map((d) => this.job(d)));
  }

  /**
   * A delivery a person waits for (a test event, a manual retry): added on its own connection, at the front of the
   * line (`lifo`: workers take the wait list's newest end next), so a backlog of fan-out jobs neither delays the
   * request nor the attempt. Its endpoint's policy (slots, throttle, a contact's order) still applies when it runs.
   */
  async enqueueNow(delivery: DeliveryJobData): Promise<void> {
    const { name, data, opts } = this.job(delivery);
    await this.interactive.add(name, data, { ...opts, lifo: true });
  }

  private job(d: DeliveryJobData) {
    return {
      name: 'deliver',
      data: { ...d, traceparent: d.traceparent ?? currentTraceparent() },
      opts: { jobId: deliveryJobId(d.delivery_id, d.generation) },
    };
  }

  /**
   * The deliveries whose job is gone from Redis (never added, trimmed, Redis lost it) or failed without the database
   * knowing; those failed jobs are removed so the id can be added again.
   *
   * Each job costs two O(1) lookups, sent at once: does its hash exist, and is it in the failed set. BullMQ's
   * `getJobState` finds a waiting job with `LPOS` over the whole wait list, O(backlog): with 2.7 M deliveries waiting
   * (the long fuzz run of session 16) each call took 10.7 ms inside Redis, so a sweep of 500 rows blocked Redis for
   * about 5 s every minute, every client with it — test sends answered 504 and workers lost their job locks. A job
   * that exists is in some state (waiting, active, delayed, completed and kept); Redis applies a script or a
   * MULTI whole, so a hash outside every list is not left behind by a crash.
   */
  async withoutJob(deliveries: readonly DeliveryJobData[]): Promise<DeliveryJobData[]> {
    if (!deliveries.length) return [];
    const ids = deliveries.map((d) => deliveryJobId(d.delivery_id, d.generation));
    const lookups = this.connection.pipeline();
    for (const id of ids) lookups.exists(this.queue.toKey(id)).zscore(this.queue.keys.failed!, id);
    const replies = (await lookups.exec()) ?? [];
    const missing: DeliveryJobData[] = [];
    for (const [i, id] of ids.entries()) {
      const [[existsErr, exists], [failedErr, failedScore]] = [replies[2 * i]!, replies[2 * i + 1]!];
      if (existsErr ?? failedErr) throw existsErr ?? failedErr;
      if (failedScore !== null) await this.queue.remove(id);
      else if (exists === 1) continue;
      missing.push(deliveries[i]!);
    }
    return missing;
  }

  /** Re-adds deliveries whose job is gone (or failed without the database knowing); how many were re-added. */
  async ensureQueued(deliveries: readonly DeliveryJobData[]): Promise<number> {
    const missing = await this.withoutJob(deliveries);
    await this.enqueue(missing);
    return missing.length;
  }

  /**
   * Wakes a parked job, in one Lua call: a job waiting in delayed goes to
   * the **front** of the wait list (the next job a worker takes), so a slot
   * handed to it (endpoint-concurrency.ts) or a contact's turn
   * (contact-ordering.ts) is used at once — BullMQ's own `promote` puts it at
   * the back, behind the whole backlog, and the slot reserved for it sat idle
   * until the reservation expired. A job caught between parking and its move
   * to delayed (active) is flagged instead, and promotes itself once moved
   * (`afterParking`); both scripts are atomic, so the wake-up cannot fall
   * between the two. False when the job no longer exists, has finished or
   * waits already (a stale entry): wake the next one.
   */
  async promote(jobId: string): Promise<boolean> {
    return (await this.scripts.webhookWakeJob(...this.wakeKeys(jobId), this.queue.toKey(''), jobId, 2 * PARK_MS)) === 1;
  }

  /** Called by the worker right after parking a job in delayed: a wake-up that came while it was active promotes it now. */
  async afterParking(jobId: string): Promise<void> {
    await this.scripts.webhookAfterParking(...this.wakeKeys(jobId), this.queue.toKey(''), jobId);
  }

  private wakeKeys(jobId: string): WakeKeys {
    const k = this.queue.keys;
    return [k.delayed!, k.wait!, k.paused!, k.meta!, k.active!, k.events!, k.marker!, `${WEBHOOK_QUEUE_PREFIX}:woken:${jobId}`];
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.interactive.close()]);
    this.connection.disconnect();
    this.interactiveConnection.disconnect();
  }
}
