/**
 * Safety net for at-least-once delivery: a delivery left `pending` in the
 * database whose job is missing from Redis (Redis lost data, a manual retry
 * whose enqueue failed) is queued again. Runs periodically on every replica;
 * enqueuing is idempotent on the job id.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { DeliveryQueue } from './delivery-queue';

const BATCH = 500;

@Injectable()
export class DeliveryReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryReconciler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((err: unknown) => {
          this.logger.error(`sweep failed: ${String(err)}`);
          return 0;
        })
        .finally(() => (this.running = undefined));
    }, this.config.WEBHOOK_RECONCILE_INTERVAL);
    this.timer.unref();
  }

  /**
   * Queues pending deliveries overdue by more than a job lock; returns how many were missing. A per_contact delivery
   * waiting behind an earlier one of its contact is not overdue (it is woken, or queued here, once it is the head):
   * a long queue of those would otherwise fill every batch and hide the deliveries whose job is really gone.
   */
  async sweep(): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT d.id AS delivery_id, d.generation FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at < now() - ($1::bigint * interval '1 millisecond')
          AND NOT (d.contact_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.ordering = 'per_contact')
                   AND EXISTS (SELECT 1 FROM webhook_deliveries h
                                WHERE h.endpoint_id = d.endpoint_id AND h.contact_id = d.contact_id AND h.status = 'pending' AND h.seq < d.seq))
        ORDER BY d.next_attempt_at LIMIT ${BATCH}`,
      [this.config.WEBHOOK_JOB_LOCK * 2],
    )) as { delivery_id: string; generation: number }[];
    const added = await this.queue.ensureQueued(rows);
    if (added) this.logger.warn(`re-queued ${added} pending deliveries that had no job`);
    return added;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
