/**
 * Safety net for at-least-once delivery: a delivery left `pending` in the
 * database whose job is missing from Redis (Redis lost data, a manual retry
 * whose enqueue failed) is queued again. Runs periodically on every replica;
 * enqueuing is idempotent on the job id.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { DeliveryQueue, type DeliveryJobData } from './delivery-queue';
import { DeliveryReconcilerRepository } from './delivery-reconciler.repository';

const BATCH = 500;

@Injectable()
export class DeliveryReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryReconciler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DeliveryReconcilerRepository,
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

  /** Queues pending deliveries overdue by more than two job locks (DeliveryReconcilerRepository.overdue); returns how many were missing. */
  async sweep(): Promise<number> {
    const rows = await this.repository.overdue(this.dataSource.manager, this.config.WEBHOOK_JOB_LOCK * 2, BATCH);
    return this.requeue(rows);
  }

  /**
   * Queues again those of `rows` (read as pending) whose job is gone. The delivery rows are read again *after* Redis:
   * a job completes only once its delivery is settled, and a completed job is soon trimmed (KEEP_COMPLETED_JOBS), so
   * under a backlog most of a batch read as pending before has been delivered and trimmed meanwhile. Without the
   * second read those were queued again (415 at once in a sustained bench run) and the warning counted them as lost.
   */
  async requeue(rows: readonly DeliveryJobData[]): Promise<number> {
    const missing = await this.queue.withoutJob(rows);
    if (!missing.length) return 0;
    const still = await this.repository.stillPending(this.dataSource.manager, missing);
    await this.queue.enqueue(still);
    if (still.length) this.logger.warn(`re-queued ${still.length} pending deliveries that had no job`);
    return still.length;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
