/**
 * The BullMQ worker of deliveries: thin, it runs one attempt and maps the
 * result onto the job — a retry becomes a failed attempt whose backoff is
 * the delay the attempt chose; a final failure fails the job for good; a
 * busy endpoint parks the job in delayed without spending an attempt (a
 * released slot of that endpoint promotes it; see endpoint-concurrency.ts),
 * and so does a per_contact delivery whose contact has an earlier one pending
 * (its outcome promotes it; see contact-ordering.ts).
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { WEBHOOK_DELIVERY_QUEUE, WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';
import { extractTraceContext, inSpan, SpanKind } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { DeliveryAttemptService } from './delivery-attempt.service';
import { bullConnection, DeliveryQueue, type DeliveryJobData } from './delivery-queue';

/** A failed attempt to be retried after `delayMs` (read by the worker's backoff strategy). */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
  }
}

@Injectable()
export class WebhookDeliveryProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDeliveryProcessor');
  private worker: Worker<DeliveryJobData> | undefined;
  private connection: Redis | undefined;

  constructor(
    private readonly attempts: DeliveryAttemptService,
    private readonly queue: DeliveryQueue,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = bullConnection(this.config.REDIS_URL, 'worker', true);
    this.worker = new Worker<DeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: WEBHOOK_QUEUE_PREFIX,
      concurrency: this.config.WEBHOOK_CONCURRENCY,
      lockDuration: this.config.WEBHOOK_JOB_LOCK,
      stalledInterval: Math.max(1000, Math.floor(this.config.WEBHOOK_JOB_LOCK / 2)),
      maxStalledCount: 20,
      settings: { backoffStrategy: (_attempts: number, _type?: string, err?: Error) => (err instanceof RetryLater ? err.delayMs : 1000) },
    });
    this.worker.on('error', (err) => this.logger.error(`worker: ${err.message}`));
  }

  async process(job: Job<DeliveryJobData>, token?: string): Promise<string> {
    const attributes = { 'messaging.system': 'bullmq', 'sigil.delivery_id': job.data.delivery_id, 'sigil.attempt': job.attemptsMade + 1 };
    const parent = extractTraceContext(undefined, job.data.traceparent);
    return inSpan('webhook.deliver', { kind: SpanKind.CONSUMER, parent, attributes }, () => this.attemptJob(job, token));
  }

  private async attemptJob(job: Job<DeliveryJobData>, token?: string): Promise<string> {
    const result = await this.attempts.attempt(job.data.delivery_id, job.data.generation, job.attemptsMade, job.id, job.timestamp);
    switch (result.kind) {
      case 'busy':
        await job.moveToDelayed(Date.now() + result.delayMs, token);
        if (job.id) await this.queue.afterParking(job.id);
        throw new DelayedError();
      case 'retry':
        throw new RetryLater(result.delayMs, result.error);
      case 'failed':
        throw new UnrecoverableError(result.error);
      default:
        return result.kind;
    }
  }

  /** Lets in-flight deliveries finish (and be recorded) before the process exits. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.connection?.disconnect();
  }
}
