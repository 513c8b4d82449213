/**
 * Fan-out of domain events (a consumed batch at a time): record each in the
 * inbox (once per event id), store its body once (if any endpoint gets it),
 * create one delivery per matching endpoint of
 * its tenant and mode — `skipped` for a disabled endpoint, so `recover` can
 * send it after re-enabling — and queue a job per pending delivery. Resolves only once the
 * jobs are in Redis, so the Kafka offset is committed after that; a
 * redelivered event finds its deliveries already there and re-queues them
 * under the same job ids (a no-op), never creating a second delivery.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { filtersMatching, type DomainEvent } from '@sigil/contracts';
import { newId } from '@sigil/platform';
import { DeliveryQueue, type DeliveryJobData } from '../delivery/delivery-queue';
import { webhookBody } from '../delivery/delivery.row';
import { contactOf } from './event-contact';

export const FANOUT_CONSUMER = 'webhooks.fanout';

@Injectable()
export class FanoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
  ) {}

  /** Returns the jobs queued for this event. */
  async accept(event: DomainEvent): Promise<DeliveryJobData[]> {
    return this.acceptBatch([event]);
  }

  /**
   * The fan-out of a batch of events in one transaction: one inbox insert,
   * one look-up of the endpoints of the tenants involved, one insert
   * of every delivery, one read of the pending ones, one bulk enqueue.
   */
  async acceptBatch(events: DomainEvent[]): Promise<DeliveryJobData[]> {
    if (!events.length) return [];
    const jobs = await this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO event_inbox (event_id, tenant_id, mode, type, occurred_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [events.map((e) => e.id), events.map((e) => e.tenant_id), events.map((e) => e.mode), events.map((e) => e.type), events.map((e) => e.occurred_at)],
      )) as { event_id: string }[];
      const fresh = new Set(inserted.map((r) => r.event_id));
      const newEvents = events.filter((e) => fresh.delete(e.id)); // once each, even if the batch repeats one
      if (newEvents.length) await this.createDeliveries(manager, newEvents);
      return (await manager.query(
        `SELECT id AS delivery_id, generation FROM webhook_deliveries WHERE event_id = ANY($1::text[]) AND status = 'pending' ORDER BY seq, id`,
        [[...new Set(events.map((e) => e.id))]],
      )) as DeliveryJobData[];
    });
    await this.queue.enqueue(jobs);
    return jobs;
  }

  /** One delivery per (event, endpoint of its tenant and mode whose filters match its type); disabled endpoints' are `skipped`. */
  private async createDeliveries(manager: EntityManager, events: DomainEvent[]): Promise<void> {
    const scopes = [...new Map(events.map((e) => [`${e.tenant_id} ${e.mode}`, e])).values()];
    const endpoints = (await manager.query(
      `SELECT e.id, e.tenant_id, e.mode, e.events, e.enabled FROM webhook_endpoints e
         JOIN unnest($1::text[], $2::text[]) AS s(tenant_id, mode) ON e.tenant_id = s.tenant_id AND e.mode = s.mode`,
      [scopes.map((e) => e.tenant_id), scopes.map((e) => e.mode)],
    )) as { id: string; tenant_id: string; mode: string; events: string[]; enabled: boolean }[];
    if (!endpoints.length) return;
    const rows: {
      id: string;
      tenant_id: string;
      mode: string;
      endpoint_id: string;
      event_id: string;
      event_type: string;
      status: 'pending' | 'skipped';
      contact_id: string | null;
    }[] = [];
    // One stored body per event, however many endpoints receive it.
    const bodies = new Map<string, { tenant_id: string; body: string }>();
    for (const event of events) {
      const filters = new Set(filtersMatching(event.type));
      // An endpoint never gets the attempt_exhausted of its own deliveries: a failing endpoint would feed itself forever.
      const about = event.type === 'webhook.attempt_exhausted' ? (event.data as { endpoint_id?: string }).endpoint_id : undefined;
      const matching = endpoints.filter((ep) => ep.tenant_id === event.tenant_id && ep.mode === event.mode && ep.id !== about && ep.events.some((f) => filters.has(f)));
      if (!matching.length) continue;
      bodies.set(event.id, { tenant_id: event.tenant_id, body: webhookBody({ id: event.id, type: event.type, created_at: event.occurred_at, data: event.data }) });
      const contact_id = contactOf(event.type, event.data);
      for (const ep of matching) {
        const status = ep.enabled ? 'pending' : 'skipped';
        rows.push({ id: newId('msg'), tenant_id: event.tenant_id, mode: event.mode, endpoint_id: ep.id, event_id: event.id, event_type: event.type, status, contact_id });
      }
    }
    if (!rows.length) return;
    // In the batch's order (the order the events arrived in): `seq` (its default, from a sequence) is a contact's order
    // on a per_contact endpoint. Rows are produced by the unnest in that order, so its values are drawn in that order.
    await manager.query(
      `WITH bodies AS (
         INSERT INTO webhook_event_bodies (event_id, tenant_id, body)
         SELECT * FROM unnest($9::text[], $10::text[], $11::text[]) ON CONFLICT (event_id) DO NOTHING
       )
       INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, status, contact_id, next_attempt_at, last_error)
       SELECT r.id, r.tenant_id, r.mode, r.endpoint_id, r.event_id, r.event_type, r.status, r.contact_id,
              CASE WHEN r.status = 'pending' THEN now() END, CASE WHEN r.status = 'skipped' THEN 'endpoint disabled' END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
           WITH ORDINALITY AS r(id, tenant_id, mode, endpoint_id, event_id, event_type, status, contact_id, n)
        ORDER BY r.n
       ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.tenant_id),
        rows.map((r) => r.mode),
        rows.map((r) => r.endpoint_id),
        rows.map((r) => r.event_id),
        rows.map((r) => r.event_type),
        rows.map((r) => r.status),
        rows.map((r) => r.contact_id),
        [...bodies.keys()],
        [...bodies.values()].map((b) => b.tenant_id),
        [...bodies.values()].map((b) => b.body),
      ],
    );
  }
}
