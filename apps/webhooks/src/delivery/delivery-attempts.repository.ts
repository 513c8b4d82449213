/**
 * SQL of the delivery worker (the attempt path): load deliveries with their
 * endpoint and body, record the outcome of attempts (`webhook_deliveries`,
 * `webhook_attempts`, the endpoint's health). Built for batches: one
 * statement loads or records every attempt a tick brought together
 * (delivery-attempt.service.ts coalesces them).
 *
 * Not bound to a tenant, on purpose: a queue job names a delivery by id only,
 * and the row it loads carries its tenant and mode, which every write copies
 * from it. The tenant-facing reads and writes of deliveries (the attempt log,
 * retry, stats) take a TenantScope (deliveries.service.ts).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@sigil/platform';
import type { EndpointRow } from '../endpoints/endpoint.row';
import type { DeliveryRow } from './delivery.row';

/** A delivery as the worker attempts it: the row, its event's body and its endpoint's target, secrets and policy. */
export type DeliveryToAttempt = DeliveryRow & { body: string | null } & Pick<
    EndpointRow,
    | 'url'
    | 'enabled'
    | 'secret_sealed'
    | 'previous_secret_sealed'
    | 'previous_secret_expires_at'
    | 'secret_key_id'
    | 'rate_limit_per_second'
    | 'max_in_flight'
    | 'timeout_ms'
    | 'retry_schedule'
    | 'headers'
    | 'ordering'
  >;

/** One attempt's outcome, as recorded. */
export interface AttemptRecord {
  deliveryId: string;
  generation: number;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}

/** PostgreSQL text cannot hold NUL characters. */
function cleanText(text: string | null): string | null {
  return text === null ? null : text.replace(/\u0000/g, '');
}

@Injectable()
export class DeliveryAttemptsRepository {
  /** The deliveries of these ids that exist, with what an attempt needs (any order); none of a deleted endpoint. */
  async load(m: EntityManager, ids: readonly string[]): Promise<DeliveryToAttempt[]> {
    return (await m.query(
      `SELECT d.*, b.body, e.url, e.enabled, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, e.secret_key_id,
              e.rate_limit_per_second, e.max_in_flight, e.timeout_ms, e.retry_schedule, e.headers, e.ordering
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.deleted_at IS NULL
         LEFT JOIN webhook_event_bodies b ON b.event_id = d.event_id AND b.tenant_id = d.tenant_id
        WHERE d.id = ANY($1::text[])`,
      [ids],
    )) as DeliveryToAttempt[];
  }

  /** Disabled while queued: `skipped` (no attempt spent), if still this generation's and pending. */
  async skip(m: EntityManager, id: string, generation: number): Promise<void> {
    await m.query(
      `UPDATE webhook_deliveries SET status = 'skipped', last_error = 'endpoint disabled', next_attempt_at = NULL, updated_at = now()
        WHERE id = $1 AND generation = $2 AND status = 'pending'`,
      [id, generation],
    );
  }

  /**
   * Successful attempts, in one statement: each delivery `delivered` (if still the attempted generation), its attempt
   * row, and its endpoint healthy again. Returns the ids recorded (a delivery superseded by a manual retry is not).
   */
  async recordDelivered(m: EntityManager, records: readonly AttemptRecord[]): Promise<Set<string>> {
    const rows = (await m.query(
      `WITH r AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::timestamptz[], $5::int[], $6::text[])
           AS r(id, generation, status_code, attempted_at, latency_ms, response_body)
       ), d AS (
         UPDATE webhook_deliveries d SET attempt_count = d.attempt_count + 1, status = 'delivered', last_status_code = r.status_code,
                last_error = NULL, next_attempt_at = NULL, delivered_at = now(), updated_at = now()
           FROM r WHERE d.id = r.id AND d.generation = r.generation
         RETURNING d.id, d.attempt_count, d.tenant_id, d.mode, d.endpoint_id, r.attempted_at, r.status_code, r.latency_ms, r.response_body
       ), a AS (
         INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms, response_body, error)
         SELECT id, attempt_count, tenant_id, mode, attempted_at, status_code, latency_ms, response_body, NULL FROM d
       ), e AS (
         UPDATE webhook_endpoints SET failing_since = NULL WHERE id IN (SELECT endpoint_id FROM d) AND failing_since IS NOT NULL
       )
       SELECT id FROM d`,
      [
        records.map((r) => r.deliveryId),
        records.map((r) => r.generation),
        records.map((r) => r.statusCode),
        records.map((r) => r.attemptedAt),
        records.map((r) => r.latencyMs),
        records.map((r) => cleanText(r.responseBody)),
      ],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * A failed attempt: the delivery's new state (`pending` with its next attempt's time, or `failed`) and its attempt
   * row. Returns the attempt's number, or undefined when the delivery was superseded by a manual retry meanwhile.
   */
  async recordFailure(
    m: EntityManager,
    d: Pick<DeliveryRow, 'id' | 'generation' | 'tenant_id' | 'mode'>,
    attempt: AttemptRecord,
    outcome: { status: 'pending' | 'failed'; nextAttemptAt: Date | null },
  ): Promise<number | undefined> {
    const [row] = returnedRows<{ attempt_count: number }>(
      await m.query(
        `UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, status = $3, last_status_code = $4, last_error = $5,
                next_attempt_at = $6, updated_at = now()
          WHERE id = $1 AND generation = $2 RETURNING attempt_count`,
        [d.id, d.generation, outcome.status, attempt.statusCode, attempt.error ?? `HTTP ${attempt.statusCode}`, outcome.nextAttemptAt],
      ),
    );
    if (!row) return undefined;
    await m.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms, response_body, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [d.id, row.attempt_count, d.tenant_id, d.mode, attempt.attemptedAt, attempt.statusCode, attempt.latencyMs, cleanText(attempt.responseBody), attempt.error],
    );
    return row.attempt_count;
  }

  /** The endpoint has failed since `at` unless it already was failing; returns since when, and whether it is enabled. */
  async markFailing(m: EntityManager, endpointId: string, at: Date): Promise<{ failing_since: Date; enabled: boolean } | undefined> {
    const [row] = returnedRows<{ failing_since: Date; enabled: boolean }>(
      await m.query(`UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since, enabled`, [endpointId, at]),
    );
    return row;
  }

  /** Disables the endpoint with this reason; false when it already was disabled. */
  async disableEndpoint(m: EntityManager, endpointId: string, reason: 'gone' | 'failing'): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled RETURNING id`, [
        endpointId,
        reason,
      ]),
    );
    return rows.length > 0;
  }
}
