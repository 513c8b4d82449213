/**
 * `recover` in the background (SPEC §14): a `webhook_recoveries` row records
 * the window, the progress and the position reached; the run queues the
 * endpoint's failed and skipped deliveries of the window again, a batch per
 * statement, each batch moving the position in the same statement, so a
 * delivery is recovered once even when the run is resumed. The replica that
 * runs it holds a lease; a run whose replica died is taken over by a sweep on
 * any replica once the lease has expired. Deliveries queued in the database
 * whose enqueue was lost to a crash are re-queued by the DeliveryReconciler.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RecoveryIdSchema, type RecoverWebhookRequest, type RecoveryView, type RequestContext } from '@sigil/contracts';
import { Conflict, NotFound, newId, scopeOf } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { EndpointsService } from '../endpoints/endpoints.service';
import { DeliveryQueue } from './delivery-queue';
import { RecoveriesRepository } from './recoveries.repository';
import { recoveryView } from './recovery.row';

const BATCH = 500;
const LEASE_MS = 30_000;
/** Abandoned runs one sweep takes over at most. */
const TAKEOVERS_PER_SWEEP = 20;

@Injectable()
export class RecoveriesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Recoveries');
  private readonly runs = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RecoveriesRepository,
    private readonly endpoints: EndpointsService,
    private readonly queue: DeliveryQueue,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  /** Records the recovery and starts it; answers at once (202). */
  async start(ctx: RequestContext, webhookId: unknown, req: RecoverWebhookRequest): Promise<RecoveryView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    // Its deliveries would only be skipped again.
    if (!endpoint.enabled) throw new Conflict('Enable the endpoint before recovering its deliveries.', { enabled: false });
    const row = await this.repository.insert(this.dataSource.manager, scopeOf(ctx), {
      id: newId('whr'),
      endpointId: endpoint.id,
      since: req.since,
      until: req.until ?? null,
      leaseMs: LEASE_MS,
    });
    if (!row) throw new NotFound('webhook', endpoint.id); // deleted meanwhile
    this.launch(row.id);
    return recoveryView(row);
  }

  async get(ctx: RequestContext, webhookId: unknown, recoveryId: unknown): Promise<RecoveryView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    if (!RecoveryIdSchema.safeParse(recoveryId).success) throw new NotFound('recovery', String(recoveryId));
    const row = await this.repository.find(this.dataSource.manager, scopeOf(ctx), endpoint.id, recoveryId as string);
    if (!row) throw new NotFound('recovery', recoveryId as string);
    return recoveryView(row);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.resumeAbandoned().catch((err: unknown) => this.logger.error(`resume failed: ${String(err)}`)),
      this.config.WEBHOOK_RECONCILE_INTERVAL,
    );
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await Promise.allSettled(this.runs.values());
  }

  /** Takes over running recoveries whose replica stopped renewing the lease. */
  async resumeAbandoned(): Promise<number> {
    const ids = await this.repository.takeOverAbandoned(this.dataSource.manager, LEASE_MS, TAKEOVERS_PER_SWEEP);
    for (const id of ids) this.launch(id);
    return ids.length;
  }

  private launch(id: string): void {
    if (this.runs.has(id) || this.stopping) return;
    const run = this.run(id)
      .catch((err: unknown) => this.logger.error(`recovery ${id} stopped: ${String(err)}; another sweep resumes it`))
      .finally(() => this.runs.delete(id));
    this.runs.set(id, run);
  }

  /** Batches until the window is done; each batch renews the lease. */
  private async run(id: string): Promise<void> {
    while (!this.stopping) {
      const { jobs, status } = await this.repository.runBatch(this.dataSource.manager, id, BATCH, LEASE_MS);
      await this.queue.enqueue(jobs);
      if (status !== 'running') return; // completed, or gone (endpoint deleted, or finished elsewhere)
    }
  }
}
