/**
 * SQL of the deliveries as their tenant sees them: the attempt log (a page
 * of an endpoint's deliveries, one delivery with its body and attempts),
 * a delivery sent again by hand (next generation), an endpoint's statistics,
 * and a `webhook.test` delivery with its body. Every method takes the
 * transaction's manager and the TenantScope, and every statement is bound to
 * that tenant and mode.
 *
 * The worker's reads and writes of a delivery it attempts are in
 * delivery-attempts.repository.ts.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeliveryStatus } from '@sigil/contracts';
import { returnedRows, type TenantScope } from '@sigil/platform';
import type { PageClause } from '../paging/keyset-page';
import type { AttemptRow, DeliveryRow } from './delivery.row';

export interface DeliveryFilter {
  status?: DeliveryStatus;
  event_type?: string;
}

export interface EndpointStatsRow {
  delivered: number;
  failed: number;
  retrying: number;
  p50: number | null;
  p99: number | null;
}

@Injectable()
export class DeliveriesRepository {
  /** A keyset page of the endpoint's deliveries; `page(first)` is pageClause with its first parameter at `first`. */
  async page(m: EntityManager, s: TenantScope, endpointId: string, filter: DeliveryFilter, page: (first: number) => PageClause): Promise<DeliveryRow[]> {
    const params: unknown[] = [s.tenantId, s.mode, endpointId];
    let where = '';
    if (filter.status) where += ` AND status = $${params.push(filter.status)}`;
    if (filter.event_type) where += ` AND event_type = $${params.push(filter.event_type)}`;
    const clause = page(params.length + 1);
    return (await m.query(`SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND mode = $2 AND endpoint_id = $3${where}${clause.where}${clause.tail}`, [
      ...params,
      ...clause.params,
    ])) as DeliveryRow[];
  }

  async find(m: EntityManager, s: TenantScope, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
    const [row] = (await m.query(`SELECT * FROM webhook_deliveries WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND endpoint_id = $4`, [
      id,
      s.tenantId,
      s.mode,
      endpointId,
    ])) as DeliveryRow[];
    return row;
  }

  /** The stored body of an event of the tenant. */
  async body(m: EntityManager, s: TenantScope, eventId: string): Promise<string | undefined> {
    const [row] = (await m.query(`SELECT body FROM webhook_event_bodies WHERE event_id = $1 AND tenant_id = $2`, [eventId, s.tenantId])) as { body: string }[];
    return row?.body;
  }

  async attempts(m: EntityManager, s: TenantScope, deliveryId: string): Promise<AttemptRow[]> {
    return (await m.query(
      `SELECT attempt, attempted_at, status_code, latency_ms, response_body, error
         FROM webhook_attempts WHERE delivery_id = $1 AND tenant_id = $2 AND mode = $3 ORDER BY attempt`,
      [deliveryId, s.tenantId, s.mode],
    )) as AttemptRow[];
  }

  /** The delivery pending again with a fresh schedule (next generation); undefined when it is pending already (or not the scope's). */
  async resend(m: EntityManager, s: TenantScope, id: string): Promise<DeliveryRow | undefined> {
    const [row] = returnedRows<DeliveryRow>(
      await m.query(
        `UPDATE webhook_deliveries SET status = 'pending', generation = generation + 1, next_attempt_at = now(), updated_at = now()
          WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND status <> 'pending' RETURNING *`,
        [id, s.tenantId, s.mode],
      ),
    );
    return row;
  }

  /** Outcomes over the last `interval` (a PostgreSQL interval), retries now waiting, and attempt latency percentiles. */
  async stats(m: EntityManager, s: TenantScope, endpointId: string, interval: string): Promise<EndpointStatsRow> {
    const [row] = (await m.query(
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
      [s.tenantId, s.mode, endpointId, interval],
    )) as EndpointStatsRow[];
    return row!;
  }

  /** A `webhook.test` delivery to the endpoint, with its event's body, due now; undefined when the endpoint is not the scope's. */
  async insertTest(m: EntityManager, s: TenantScope, d: { id: string; endpointId: string; eventId: string; body: string; at: Date }): Promise<DeliveryRow | undefined> {
    const [row] = (await m.query(
      `WITH e AS (SELECT id FROM webhook_endpoints WHERE id = $4 AND tenant_id = $2 AND mode = $3 AND deleted_at IS NULL),
       body AS (INSERT INTO webhook_event_bodies (event_id, tenant_id, body) SELECT $5::text, $2::text, $6::text FROM e)
       INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, next_attempt_at)
       SELECT $1::text, $2::text, $3::text, e.id, $5::text, 'webhook.test', $7::timestamptz FROM e RETURNING *`,
      [d.id, s.tenantId, s.mode, d.endpointId, d.eventId, d.body, d.at],
    )) as DeliveryRow[];
    return row;
  }
}
