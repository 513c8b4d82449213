/**
 * SQL of `recover` (recoveries.service.ts): the `webhook_recoveries` rows,
 * and the endpoint's failed and skipped deliveries each batch of a run puts
 * back in the queue (`webhook_deliveries`, in the same statement as the
 * run's progress).
 *
 * Starting and reading a recovery take the TenantScope, and every statement
 * is bound to that tenant and mode: a recovery is created only for an
 * endpoint of the scope, and another tenant's recovery id finds nothing. The
 * run's own statements (`takeOverAbandoned`, `runBatch`) work across tenants,
 * on purpose: a replica takes over any tenant's abandoned run, and a run
 * names its recovery by id only; the row (created in its tenant's scope)
 * names the endpoint, whose deliveries are all of that tenant.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecoveryStatus } from '@sigil/contracts';
import { returnedRows, type TenantScope } from '@sigil/platform';
import type { DeliveryJobData } from './delivery-queue';
import type { RecoveryRow } from './recovery.row';

/** A new recovery: the endpoint's failed and skipped deliveries created in [since, until); `until` null: now. */
export interface NewRecovery {
  id: string;
  endpointId: string;
  since: string;
  until: string | null;
  leaseMs: number;
}

/** What one batch of a run did: the deliveries queued again, and the run's status after it (undefined: the run is gone). */
export interface RecoveryBatch {
  jobs: DeliveryJobData[];
  status: RecoveryStatus | undefined;
}

@Injectable()
export class RecoveriesRepository {
  /**
   * Records a running recovery, leased for `leaseMs`, with the number of deliveries its window holds now.
   * Undefined when the endpoint is not the scope's (or was deleted meanwhile).
   */
  async insert(m: EntityManager, s: TenantScope, r: NewRecovery): Promise<RecoveryRow | undefined> {
    const [row] = (await m.query(
      `INSERT INTO webhook_recoveries (id, tenant_id, mode, endpoint_id, since, until, total, lease_until)
       SELECT $1, $2, $3, e.id, $5::timestamptz, w.until,
              (SELECT count(*)::int FROM webhook_deliveries
                WHERE endpoint_id = e.id AND status IN ('failed', 'skipped') AND created_at >= $5 AND created_at < w.until),
              now() + ($7::bigint * interval '1 millisecond')
         FROM webhook_endpoints e, (SELECT COALESCE($6::timestamptz, now()) AS until) w
        WHERE e.id = $4 AND e.tenant_id = $2 AND e.mode = $3 AND e.deleted_at IS NULL
       RETURNING *`,
      [r.id, s.tenantId, s.mode, r.endpointId, r.since, r.until, r.leaseMs],
    )) as RecoveryRow[];
    return row;
  }

  async find(m: EntityManager, s: TenantScope, endpointId: string, id: string): Promise<RecoveryRow | undefined> {
    const [row] = (await m.query(`SELECT * FROM webhook_recoveries WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND endpoint_id = $4`, [
      id,
      s.tenantId,
      s.mode,
      endpointId,
    ])) as RecoveryRow[];
    return row;
  }

  /** Leases (for `leaseMs`) up to `limit` running recoveries whose lease has expired; returns their ids. */
  async takeOverAbandoned(m: EntityManager, leaseMs: number, limit: number): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE webhook_recoveries SET lease_until = now() + ($1::bigint * interval '1 millisecond')
          WHERE id IN (SELECT id FROM webhook_recoveries WHERE status = 'running' AND lease_until < now() LIMIT $2::int FOR UPDATE SKIP LOCKED)
          RETURNING id`,
        [leaseMs, limit],
      ),
    );
    return rows.map((r) => r.id);
  }

  /**
   * One batch of a running recovery, in one statement: the next `batch` failed or skipped deliveries of its window
   * after its position are pending again (next generation, due now), and the recovery's progress, position, lease
   * (renewed for `leaseMs`) and status move with them — `completed` once a batch comes up short. A batch is
   * recovered once even if the run is resumed elsewhere: the recovery row is locked while it is taken.
   */
  async runBatch(m: EntityManager, id: string, batch: number, leaseMs: number): Promise<RecoveryBatch> {
    const rows = (await m.query(
      `WITH r AS (
         SELECT * FROM webhook_recoveries WHERE id = $1 AND status = 'running' FOR UPDATE
       ), picked AS (
         SELECT d.id, d.created_at FROM webhook_deliveries d, r
          WHERE d.endpoint_id = r.endpoint_id AND d.status IN ('failed', 'skipped')
            AND d.created_at >= r.since AND d.created_at < r.until
            AND (r.cursor_created_at IS NULL OR (d.created_at, d.id) > (r.cursor_created_at, r.cursor_id))
          ORDER BY d.created_at, d.id LIMIT $3::int
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
           status = CASE WHEN (SELECT count(*) FROM picked) < $3::int THEN 'completed' ELSE 'running' END,
           completed_at = CASE WHEN (SELECT count(*) FROM picked) < $3::int THEN now() END,
           lease_until = now() + ($2::bigint * interval '1 millisecond'),
           updated_at = now()
          FROM r WHERE w.id = r.id
         RETURNING w.status
       )
       SELECT q.id AS delivery_id, q.generation, NULL AS status FROM queued q
       UNION ALL SELECT NULL, NULL, p.status FROM progress p`,
      [id, leaseMs, batch],
    )) as { delivery_id: string | null; generation: number | null; status: RecoveryStatus | null }[];
    return {
      jobs: rows.filter((r) => r.delivery_id !== null).map((r) => ({ delivery_id: r.delivery_id!, generation: r.generation! })),
      status: rows.find((r) => r.status !== null)?.status ?? undefined,
    };
  }
}
