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
import { Conflict, NotFound, Paged, newId, isIdOf, keysetPage, pageWindow, scopeOf } from '@sigil/platform';
import { EndpointsService } from '../endpoints/endpoints.service';
import { pageClause } from '../paging/keyset-page';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryQueue } from './delivery-queue';
import { attemptView, deliveryView, payloadOf, webhookBody, type DeliveryRow } from './delivery.row';

const STATS_INTERVALS = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const;

@Injectable()
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DeliveriesRepository,
    private readonly endpoints: EndpointsService,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(ctx: RequestContext, webhookId: unknown, query: ListDeliveriesQuery): Promise<Paged<DeliveryView>> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    const window = pageWindow(query, query.limit, isIdOf('msg'));
    const filter = { status: query.status, event_type: query.event_type };
    const rows = await this.repository.page(this.dataSource.manager, scopeOf(ctx), endpoint.id, filter, (first) => pageClause(window, first));
    const { items, meta } = keysetPage(rows, window, (r) => r.id);
    return new Paged(items.map(deliveryView), meta);
  }

  private async find(ctx: RequestContext, webhookId: unknown, deliveryId: unknown): Promise<DeliveryRow> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    if (!DeliveryIdSchema.safeParse(deliveryId).success) throw new NotFound('delivery', String(deliveryId));
    const row = await this.repository.find(this.dataSource.manager, scopeOf(ctx), endpoint.id, deliveryId as string);
    if (!row) throw new NotFound('delivery', deliveryId as string);
    return row;
  }

  async get(ctx: RequestContext, webhookId: unknown, deliveryId: unknown): Promise<DeliveryDetailView> {
    const row = await this.find(ctx, webhookId, deliveryId);
    const m = this.dataSource.manager;
    const body = await this.repository.body(m, scopeOf(ctx), row.event_id);
    // The purge removes a body only once no delivery refers to it.
    if (body === undefined) throw new Error(`delivery ${row.id}: the body of event ${row.event_id} is missing`);
    const attempts = await this.repository.attempts(m, scopeOf(ctx), row.id);
    return { ...deliveryView(row), payload: payloadOf({ body }), attempts: attempts.map(attemptView) };
  }

  /** Sends a delivered, failed or skipped delivery again, with a fresh retry schedule (same `webhook-id`). */
  async retry(ctx: RequestContext, webhookId: unknown, deliveryId: unknown): Promise<DeliveryView> {
    const row = await this.find(ctx, webhookId, deliveryId);
    if (row.status === 'pending') throw new Conflict('This delivery is still being attempted.', { delivery_status: row.status });
    const updated = await this.repository.resend(this.dataSource.manager, scopeOf(ctx), row.id);
    if (!updated) throw new Conflict('This delivery is already being retried.');
    await this.queue.enqueueNow({ delivery_id: updated.id, generation: updated.generation });
    return deliveryView(updated);
  }

  /** Outcomes and attempt latencies of the endpoint over the window. */
  async stats(ctx: RequestContext, webhookId: unknown, query: WebhookStatsQuery): Promise<WebhookStatsView> {
    const endpoint = await this.endpoints.find(ctx, webhookId);
    const row = await this.repository.stats(this.dataSource.manager, scopeOf(ctx), endpoint.id, STATS_INTERVALS[query.window]);
    const { delivered, failed, retrying, p50, p99 } = row;
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
    const row = await this.repository.insertTest(this.dataSource.manager, scopeOf(ctx), {
      id: newId('msg'),
      endpointId: endpoint.id,
      eventId: payloadOf({ body }).id,
      body,
      at: now,
    });
    if (!row) throw new NotFound('webhook', endpoint.id); // deleted meanwhile
    await this.queue.enqueueNow({ delivery_id: row.id, generation: row.generation });
    return deliveryView(row);
  }
}
