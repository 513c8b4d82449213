/**
 * SQL of the fan-out (fanout.service.ts): the event inbox that records each
 * consumed event once (`event_inbox`), the endpoints of the tenants in a
 * batch, the deliveries a batch creates with their events' bodies
 * (`webhook_deliveries`, `webhook_event_bodies`), and the pending deliveries
 * of its events to queue. Each method is one statement for the whole batch,
 * whatever its number of events, tenants and endpoints.
 *
 * Across tenants, on purpose: a consumed batch holds several tenants' events.
 * Endpoints are read for the scopes given only, every row written carries the
 * tenant and mode of its event, and a delivery is inserted only if its
 * endpoint still exists in that same tenant and mode — an endpoint deleted
 * while the batch was being prepared loses its deliveries instead of failing
 * the batch (the foreign key would), and a row naming another tenant's
 * endpoint is never written.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';
import type { DeliveryJobData } from '../delivery/delivery-queue';
import type { DeliveryRow } from '../delivery/delivery.row';
import type { EndpointRow } from '../endpoints/endpoint.row';

/** What the fan-out needs of an endpoint to match events. */
export type Subscriber = Pick<EndpointRow, 'id' | 'tenant_id' | 'mode' | 'events' | 'enabled'>;

/** A delivery of an event to an endpoint of the event's tenant and mode; `skipped`: the endpoint is disabled (`recover` sends it after re-enabling). */
export type NewDelivery = Pick<DeliveryRow, 'id' | 'tenant_id' | 'mode' | 'endpoint_id' | 'event_id' | 'event_type' | 'contact_id'> & { status: 'pending' | 'skipped' };

/** The body an event's deliveries POST, stored once per event. */
export interface NewEventBody {
  event_id: string;
  tenant_id: string;
  body: string;
}

@Injectable()
export class FanoutRepository {
  /** Records the events in the inbox; returns the ids seen for the first time (a redelivered event's is not). */
  async recordInbox(m: EntityManager, events: readonly Pick<DomainEvent, 'id' | 'tenant_id' | 'mode' | 'type' | 'occurred_at'>[]): Promise<Set<string>> {
    const rows = (await m.query(
      `INSERT INTO event_inbox (event_id, tenant_id, mode, type, occurred_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [events.map((e) => e.id), events.map((e) => e.tenant_id), events.map((e) => e.mode), events.map((e) => e.type), events.map((e) => e.occurred_at)],
    )) as { event_id: string }[];
    return new Set(rows.map((r) => r.event_id));
  }

  /** Every endpoint of these scopes (enabled or not: a disabled one's deliveries are recorded `skipped`), but no deleted one. */
  async subscribers(m: EntityManager, scopes: readonly TenantScope[]): Promise<Subscriber[]> {
    return (await m.query(
      `SELECT e.id, e.tenant_id, e.mode, e.events, e.enabled FROM webhook_endpoints e
         JOIN unnest($1::text[], $2::text[]) AS s(tenant_id, mode) ON e.tenant_id = s.tenant_id AND e.mode = s.mode
        WHERE e.deleted_at IS NULL`,
      [scopes.map((s) => s.tenantId), scopes.map((s) => s.mode)],
    )) as Subscriber[];
  }

  /**
   * The events' bodies (once per event) and the deliveries, in one statement. A delivery already there (a redelivered
   * event) is left as it is. Rows are inserted in the order given: `seq` (its default, from a sequence) is a contact's
   * order on a per_contact endpoint, and the rows come out of the unnest in that order, so its values are drawn in it.
   *
   * The endpoints the rows name are read again in the statement, locked against removal (FOR KEY SHARE: the lock the
   * foreign key check takes on them anyway, taken before the insert instead of during it) and bound to each row's
   * tenant and mode: a row whose endpoint was deleted (marked) after `subscribers` read it is not inserted. A mark
   * not yet committed does not make the batch wait (it is a non-key update); the rows it lets through are never
   * attempted, and the purge removes them with the endpoint.
   */
  async insertDeliveries(m: EntityManager, rows: readonly NewDelivery[], bodies: readonly NewEventBody[]): Promise<void> {
    await m.query(
      `WITH bodies AS (
         INSERT INTO webhook_event_bodies (event_id, tenant_id, body)
         SELECT * FROM unnest($9::text[], $10::text[], $11::text[]) ON CONFLICT (event_id) DO NOTHING
       ), endpoints AS (
         SELECT id, tenant_id, mode FROM webhook_endpoints WHERE id = ANY($4::text[]) AND deleted_at IS NULL FOR KEY SHARE
       )
       INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, status, contact_id, next_attempt_at, last_error)
       SELECT r.id, r.tenant_id, r.mode, r.endpoint_id, r.event_id, r.event_type, r.status, r.contact_id,
              CASE WHEN r.status = 'pending' THEN now() END, CASE WHEN r.status = 'skipped' THEN 'endpoint disabled' END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
           WITH ORDINALITY AS r(id, tenant_id, mode, endpoint_id, event_id, event_type, status, contact_id, n)
         JOIN endpoints e ON e.id = r.endpoint_id AND e.tenant_id = r.tenant_id AND e.mode = r.mode
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
        bodies.map((b) => b.event_id),
        bodies.map((b) => b.tenant_id),
        bodies.map((b) => b.body),
      ],
    );
  }

  /** The pending deliveries of these events, as queue jobs, in the order their events arrived. */
  async pendingJobs(m: EntityManager, eventIds: readonly string[]): Promise<DeliveryJobData[]> {
    return (await m.query(`SELECT id AS delivery_id, generation FROM webhook_deliveries WHERE event_id = ANY($1::text[]) AND status = 'pending' ORDER BY seq, id`, [
      eventIds,
    ])) as DeliveryJobData[];
  }
}
