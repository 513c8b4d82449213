/**
 * Delivery use cases: the attempt log (list, one delivery with its
 * attempts), retrying one delivery by hand, and sending a `webhook.test`
 * event (recovery: recoveries.service.ts).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DeliveryIdSchema,
  type DeliveryDetailView,
  type DeliveryView,
  type RequestContext,
  type ListDeliveriesQuery,
  type WebhookStatsQuery,
  type WebhookStatsView,
} from '@sigil/contracts';
import { Conflict, NotFound, Paged, newId, isIdOf, keysetPage, pageWindow } from '@sigil/platform';
import { EndpointsService } from '../endpoints/endpoints.service';
import { pageClause } from '../paging/keyset-page';
import { DeliveryQueue } from './delivery-queue';
import { attemptView, deliveryView, payloadOf, webhookBody, type AttemptRow, type DeliveryRow } from './delivery.row';

const STATS_INTERVALS = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const;

@Injectable()
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsService,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(ctx: RequestContext, webhookId: unknown, query: ListDeliveriesQuery): Promise<Paged<DeliveryView>> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    const params: unknown[] = [ctx.tenant_id, ctx.mode, endpoint.id];
    let where = '';
    if (query.status) where += ` AND status = $${params.push(query.status)}`;
    if (query.event_type) where += ` AND event_type = $${params.push(query.event_type)}`;
    const window = pageWindow(query, query.limit, isIdOf('msg'));
    const clause = pageClause(window, params.length + 1);
    const rows = (await this.dataSource.query(
      `SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND mode = $2 AND endpoint_id = $3${where}${clause.where}${clause.tail}`,
      [...params, ...clause.params],
    )) as DeliveryRow[];
    const { items, meta } = keysetPage(rows, window, (r) => r.id);
    return new Paged(items.map(deliveryView), meta);
  }

  private async find(ctx: RequestContext, webhookId: unknown, deliveryId: unknown): Promise<DeliveryRow> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    if (!DeliveryIdSchema.safeParse(deliveryId).success) throw new NotFound('delivery', String(deliveryId));
    const [row] = (await this.dataSource.query(`SELECT * FROM webhook_deliveries WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND endpoint_id = $4`, [
      deliveryId,
      ctx.tenant_id,
      ctx.mode,
      endpoint.id,
    ])) as DeliveryRow[];
    if (!row) throw new NotFound('delivery', deliveryId as string);
    return row;
  }

  async get(ctx: RequestContext, webhookId: unknown, deliveryId: unknown): Promise<DeliveryDetailView> {
    const row = await this.find(ctx, webhookId, deliveryId);
    const [stored] = (await this.dataSource.query(`SELECT body FROM webhook_event_bodies WHERE event_id = $1 AND tenant_id = $2`, [row.event_id, ctx.tenant_id])) as {
      body: string;
    }[];
    // The purge removes a body only once no delivery refers to it.
    if (!stored) throw new Error(`delivery ${row.id}: the body of event ${row.event_id} is missing`);
    const attempts = (await this.dataSource.query(
      `SELECT attempt, attempted_at, status_code, latency_ms, response_body, error
         FROM webhook_attempts WHERE delivery_id = $1 AND tenant_id = $2 AND mode = $3 ORDER BY attempt`,
      [row.id, ctx.tenant_id, ctx.mode],
    )) as AttemptRow[];
    return { ...deliveryView(row), payload: payloadOf(stored), attempts: attempts.map(attemptView) };
  }

  /** Sends a delivered, failed or skipped delivery again, with a fresh retry schedule (same `webhook-id`). */
  async retry(ctx: RequestContext, webhookId: unknown, deliveryId: unknown): Promise<DeliveryView> {
    const row = await this.find(ctx, webhookId, deliveryId);
    if (row.status === 'pending') throw new Conflict('This delivery is still being attempted.', { delivery_status: row.status });
    const [rows] = (await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'pending', generation = generation + 1, next_attempt_at = now(), updated_at = now()
        WHERE id = $1 AND status <> 'pending' RETURNING *`,
      [row.id],
    )) as [DeliveryRow[], number];
    const updated = rows[0];
    if (!updated) throw new Conflict('This delivery is already being retried.');
    await this.queue.enqueue([{ delivery_id: updated.id, generation: updated.generation }]);
    return deliveryView(updated);
  }

  /** Outcomes and attempt latencies of the endpoint over the window. */
  async stats(ctx: RequestContext, webhookId: unknown, query: WebhookStatsQuery): Promise<WebhookStatsView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    const [row] = (await this.dataSource.query(
      `WITH w AS (SELECT now() - $4::interval AS since)
       SELECT
         (SELECT count(*)::int FROM webhook_deliveries, w WHERE tenant_id = $1 AND mode = $2 AND endpoint_id = $3
             AND status = 'delivered' AND delivered_at >= w.since) AS delivered,
         (SELECT count(*)::int FROM webhook_deliveries, w WHERE tenant_id = $1 AND mode = $2 AND endpoint_id = $3
             AND status = 'failed' AND updated_at >= w.since) AS failed,
         (SELECT count(*)::int FROM webhook_deliveries WHERE tenant_id = $1 AND mode = $2 AND endpoint_id = $3
             AND status = 'pending' AND attempt_count > 0) AS retrying,
         p.p50, p.p99
       FROM (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms) AS p50,
                    percentile_cont(0.99) WITHIN GROUP (ORDER BY a.latency_ms) AS p99
               FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id, w
              WHERE d.tenant_id = $1 AND d.mode = $2 AND d.endpoint_id = $3 AND a.attempted_at >= w.since) p`,
      [ctx.tenant_id, ctx.mode, endpoint.id, STATS_INTERVALS[query.window]],
    )) as { delivered: number; failed: number; retrying: number; p50: number | null; p99: number | null }[];
    const { delivered, failed, retrying, p50, p99 } = row!;
    return {
      window: query.window,
      delivered,
      failed,
      retrying,
      success_rate: delivered + failed ? Math.round((delivered / (delivered + failed)) * 10_000) / 10_000 : null,
      p50_ms: p50 === null ? null : Math.round(p50),
      p99_ms: p99 === null ? null : Math.round(p99),
    };
  }

  /** A `webhook.test` event for this endpoint alone, whatever its filters. */
  async sendTest(ctx: RequestContext, webhookId: unknown): Promise<DeliveryView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    const now = new Date();
    const body = webhookBody({
      id: newId('evt'),
      type: 'webhook.test',
      created_at: now.toISOString(),
      data: { message: 'This is a test event from Sigil.' },
    });
    const [row] = (await this.dataSource.query(
      `WITH body AS (INSERT INTO webhook_event_bodies (event_id, tenant_id, body) VALUES ($5, $2, $6))
       INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, 'webhook.test', $7) RETURNING *`,
      [newId('msg'), ctx.tenant_id, ctx.mode, endpoint.id, payloadOf({ body }).id, body, now],
    )) as DeliveryRow[];
    await this.queue.enqueue([{ delivery_id: row!.id, generation: row!.generation }]);
    return deliveryView(row!);
  }
}
