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
import { RecoveryIdSchema, type RecoverWebhookRequest, type RecoveryStatus, type RecoveryView, type RequestContext } from '@sigil/contracts';
import { Conflict, NotFound, newId } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { EndpointsService } from '../endpoints/endpoints.service';
import { DeliveryQueue } from './delivery-queue';

const BATCH = 500;
const LEASE_MS = 30_000;

interface RecoveryRow {
  id: string;
  endpoint_id: string;
  status: RecoveryStatus;
  since: Date;
  until: Date;
  total: number;
  recovered: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

function recoveryView(row: RecoveryRow): RecoveryView {
  return {
    id: row.id,
    webhook_id: row.endpoint_id,
    status: row.status,
    since: row.since.toISOString(),
    until: row.until.toISOString(),
    total: row.total,
    recovered: row.recovered,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

@Injectable()
export class RecoveriesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Recoveries');
  private readonly runs = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsService,
    private readonly queue: DeliveryQueue,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  /** Records the recovery and starts it; answers at once (202). */
  async start(ctx: RequestContext, webhookId: unknown, req: RecoverWebhookRequest): Promise<RecoveryView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    // Its deliveries would only be skipped again.
    if (!endpoint.enabled) throw new Conflict('Enable the endpoint before recovering its deliveries.', { enabled: false });
    const [row] = (await this.dataSource.query(
      `INSERT INTO webhook_recoveries (id, tenant_id, mode, endpoint_id, since, until, total, lease_until)
       SELECT $1, $2, $3, $4, $5::timestamptz, w.until,
              (SELECT count(*)::int FROM webhook_deliveries
                WHERE endpoint_id = $4 AND status IN ('failed', 'skipped') AND created_at >= $5 AND created_at < w.until),
              now() + ($7::bigint * interval '1 millisecond')
         FROM (SELECT COALESCE($6::timestamptz, now()) AS until) w
       RETURNING *`,
      [newId('whr'), ctx.tenant_id, ctx.mode, endpoint.id, req.since, req.until ?? null, LEASE_MS],
    )) as RecoveryRow[];
    this.launch(row!.id);
    return recoveryView(row!);
  }

  async get(ctx: RequestContext, webhookId: unknown, recoveryId: unknown): Promise<RecoveryView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    if (!RecoveryIdSchema.safeParse(recoveryId).success) throw new NotFound('recovery', String(recoveryId));
    const [row] = (await this.dataSource.query(`SELECT * FROM webhook_recoveries WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND endpoint_id = $4`, [
      recoveryId,
      ctx.tenant_id,
      ctx.mode,
      endpoint.id,
    ])) as RecoveryRow[];
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
    const [rows] = (await this.dataSource.query(
      `UPDATE webhook_recoveries SET lease_until = now() + ($1::bigint * interval '1 millisecond')
        WHERE id IN (SELECT id FROM webhook_recoveries WHERE status = 'running' AND lease_until < now() LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [LEASE_MS],
    )) as [{ id: string }[], number];
    for (const r of rows) this.launch(r.id);
    return rows.length;
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
      const rows = (await this.dataSource.query(
        `WITH r AS (
           SELECT * FROM webhook_recoveries WHERE id = $1 AND status = 'running' FOR UPDATE
         ), picked AS (
           SELECT d.id, d.created_at FROM webhook_deliveries d, r
            WHERE d.endpoint_id = r.endpoint_id AND d.status IN ('failed', 'skipped')
              AND d.created_at >= r.since AND d.created_at < r.until
              AND (r.cursor_created_at IS NULL OR (d.created_at, d.id) > (r.cursor_created_at, r.cursor_id))
            ORDER BY d.created_at, d.id LIMIT ${BATCH}
            FOR UPDATE OF d
         ), queued AS (
           UPDATE webhook_deliveries d SET status = 'pending', generation = generation + 1, next_attempt_at = now(), last_error = NULL, updated_at = now()
             FROM picked WHERE d.id = picked.id AND d.status IN ('failed', 'skipped')
           RETURNING d.id, d.generation
         ), last AS (
           SELECT created_at, id FROM picked ORDER BY created_at DESC, id DESC LIMIT 1
         ), progress AS (
           UPDATE webhook_recoveries w SET
             recovered = w.recovered + (SELECT count(*) FROM queued),
             cursor_created_at = COALESCE((SELECT created_at FROM last), w.cursor_created_at),
             cursor_id = COALESCE((SELECT id FROM last), w.cursor_id),
             status = CASE WHEN (SELECT count(*) FROM picked) < ${BATCH} THEN 'completed' ELSE 'running' END,
             completed_at = CASE WHEN (SELECT count(*) FROM picked) < ${BATCH} THEN now() END,
             lease_until = now() + ($2::bigint * interval '1 millisecond'),
             updated_at = now()
            FROM r WHERE w.id = r.id
           RETURNING w.status
         )
         SELECT q.id AS delivery_id, q.generation, NULL AS status FROM queued q
         UNION ALL SELECT NULL, NULL, p.status FROM progress p`,
        [id, LEASE_MS],
      )) as { delivery_id: string | null; generation: number | null; status: RecoveryStatus | null }[];
      const jobs = rows.filter((r) => r.delivery_id !== null).map((r) => ({ delivery_id: r.delivery_id!, generation: r.generation! }));
      await this.queue.enqueue(jobs);
      const status = rows.find((r) => r.status !== null)?.status;
      if (status !== 'running') return; // completed, or gone (endpoint deleted, or finished elsewhere)
    }
  }
}
