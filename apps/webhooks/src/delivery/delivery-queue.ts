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

export function deliveryJobId(deliveryId: string, generation: number): string {
  return `${deliveryId}.${generation}`;
}

/** BullMQ needs connections that wait for Redis instead of failing commands. */
export function bullConnection(url: string, name: string): Redis {
  return new Redis(url, { connectionName: `sigil-webhooks-${name}`, maxRetriesPerRequest: null, enableReadyCheck: false });
}

export class DeliveryQueue {
  readonly queue: Queue<DeliveryJobData>;
  private readonly connection: Redis;

  constructor(redisUrl: string, maxAttempts: number) {
    this.connection = bullConnection(redisUrl, 'queue');
    const defaultJobOptions: JobsOptions = {
      attempts: maxAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: 3600, count: 100_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
    this.queue = new Queue<DeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, { connection: this.connection, prefix: WEBHOOK_QUEUE_PREFIX, defaultJobOptions });
  }

  /** Resolves once every job is stored in Redis. */
  async enqueue(deliveries: readonly DeliveryJobData[]): Promise<void> {
    if (!deliveries.length) return;
    await this.queue.addBulk(
      deliveries.map((d) => ({
        name: 'deliver',
        data: { ...d, traceparent: d.traceparent ?? currentTraceparent() },
        opts: { jobId: deliveryJobId(d.delivery_id, d.generation) },
      })),
    );
  }

  /** Re-adds deliveries whose job is gone (or failed without the database knowing). */
  async ensureQueued(deliveries: readonly DeliveryJobData[]): Promise<number> {
    let added = 0;
    for (const d of deliveries) {
      const job = await this.queue.getJob(deliveryJobId(d.delivery_id, d.generation));
      if (job && (await job.getState()) === 'failed') await job.remove();
      else if (job) continue;
      await this.enqueue([d]);
      added++;
    }
    return added;
  }

  /**
   * Wakes a parked job: promotes it if it waits in delayed. A job caught
   * between parking and its move to delayed is flagged instead, and promotes
   * itself once moved (`afterParking`): the flag is set before the state is
   * read again, so the wake-up cannot fall between the two. False when the
   * job no longer exists or has finished (a stale entry): wake the next one.
   */
  async promote(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    let state = await job.getState();
    if (state === 'active') {
      await this.connection.set(this.wokenKey(jobId), '1', 'PX', 2 * PARK_MS);
      state = await job.getState();
    }
    if (state !== 'delayed') return state === 'active';
    await job.promote().catch(() => undefined); // woke by itself meanwhile
    return true;
  }

  /** Called by the worker right after parking a job in delayed. */
  async afterParking(jobId: string): Promise<void> {
    if (!(await this.connection.del(this.wokenKey(jobId)))) return;
    const job = await this.queue.getJob(jobId);
    await job?.promote().catch(() => undefined);
  }

  private wokenKey(jobId: string): string {
    return `${WEBHOOK_QUEUE_PREFIX}:woken:${jobId}`;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
