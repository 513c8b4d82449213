/**
 * SQL of the retention purge (webhook-retention.ts): the advisory lock one
 * replica's run holds, and one batch-sized DELETE per kind of row past the
 * retention — finished deliveries (their attempts go with them), old
 * attempts of deliveries kept, event bodies no delivery refers to, inbox
 * records, finished recoveries — and the rows of deleted endpoints, whatever
 * their age. Each DELETE picks its rows with SKIP LOCKED,
 * so it never waits for a worker's row lock, and returns how many it removed.
 *
 * Across tenants, on purpose: retention is the same for every tenant, and
 * rows are picked by age (ids are time-ordered) and status only. The methods
 * run on the purge's own connection (its query runner's manager), which holds
 * the advisory lock.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Name of the advisory lock a purge run holds (hashtext of it). */
export const PURGE_LOCK = 'sigil-webhooks-purge';

const TERMINAL = `('delivered', 'failed', 'skipped')`;

/** A deleted (marked) endpoint, with the scope its deliveries are indexed by. */
export interface MarkedEndpoint {
  id: string;
  tenant_id: string;
  mode: string;
}

/** A batch's rows removed, and the greatest key it reached (the next batch starts after it); null when none. */
export interface BatchDeleted {
  deleted: number;
  last: string | null;
}

/** Rows a DELETE removed (TypeORM answers a DELETE with `[rows, rowCount]`). */
async function deleted(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [, affected] = (await m.query(sql, params)) as [unknown, number];
  return affected;
}

/** A batch DELETE written as `WITH gone AS (DELETE … RETURNING <key> AS k) SELECT count(*), max(k) FROM gone`. */
async function deletedUpTo(m: EntityManager, sql: string, params: unknown[]): Promise<BatchDeleted> {
  const [row] = (await m.query(sql, params)) as [{ deleted: number; last: string | null }];
  return { deleted: row.deleted, last: row.last };
}

@Injectable()
export class WebhookRetentionRepository {
  /** Takes the purge's advisory lock on this connection; false when another run holds it. */
  async tryLock(m: EntityManager): Promise<boolean> {
    const [{ locked }] = (await m.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [PURGE_LOCK])) as [{ locked: boolean }];
    return locked;
  }

  async unlock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_unlock(hashtext($1))`, [PURGE_LOCK]);
  }

  /**
   * Up to `n` finished deliveries with an id after `after` and below `bound` (created before the cutoff) and last
   * changed before `cutoff`; their attempts go with them (ON DELETE CASCADE).
   *
   * `after` is the previous batch's `last`: without it every batch walked the primary key from its start, over the
   * index entries of every row the run had deleted so far (dead until vacuumed) and of the rows it keeps, so a
   * batch's cost grew with the run — 318 000 rows into a run, each batch of 1 000 stepped over ~300 times as many.
   */
  async deleteDeliveries(m: EntityManager, after: string, bound: string, cutoff: Date, n: number): Promise<BatchDeleted> {
    return deletedUpTo(
      m,
      `WITH gone AS (
         DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries WHERE id > $1 AND id < $2 AND status IN ${TERMINAL} AND updated_at < $3
            ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING id)
       SELECT count(*)::int AS deleted, max(id) AS last FROM gone`,
      [after, bound, cutoff, n],
    );
  }

  /** The next `n` ids of deliveries below `bound`, after `after` (the deliveries the purge keeps), in id order. */
  async keptDeliveryIds(m: EntityManager, after: string, bound: string, n: number): Promise<string[]> {
    const rows = (await m.query(`SELECT id FROM webhook_deliveries WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3`, [after, bound, n])) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The attempts of these deliveries made before `cutoff`. */
  async deleteAttempts(m: EntityManager, deliveryIds: readonly string[], cutoff: Date): Promise<number> {
    return deleted(m, `DELETE FROM webhook_attempts WHERE delivery_id = ANY($1::text[]) AND attempted_at < $2`, [deliveryIds, cutoff]);
  }

  /** Up to `n` bodies of events with an id after `after` and below `bound` that no delivery refers to any more. */
  async deleteBodies(m: EntityManager, after: string, bound: string, n: number): Promise<BatchDeleted> {
    return deletedUpTo(
      m,
      `WITH gone AS (
         DELETE FROM webhook_event_bodies WHERE event_id IN (
           SELECT b.event_id FROM webhook_event_bodies b
            WHERE b.event_id > $1 AND b.event_id < $2 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = b.event_id)
            ORDER BY b.event_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING event_id)
       SELECT count(*)::int AS deleted, max(event_id) AS last FROM gone`,
      [after, bound, n],
    );
  }

  /** Up to `n` inbox records of events with an id after `after` and below `bound`. */
  async deleteInbox(m: EntityManager, after: string, bound: string, n: number): Promise<BatchDeleted> {
    return deletedUpTo(
      m,
      `WITH gone AS (
         DELETE FROM event_inbox WHERE event_id IN (
           SELECT event_id FROM event_inbox WHERE event_id > $1 AND event_id < $2 ORDER BY event_id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING event_id)
       SELECT count(*)::int AS deleted, max(event_id) AS last FROM gone`,
      [after, bound, n],
    );
  }

  /** Up to `n` endpoints marked deleted, the earliest mark first. */
  async markedEndpoints(m: EntityManager, n: number): Promise<MarkedEndpoint[]> {
    return (await m.query(`SELECT id, tenant_id, mode FROM webhook_endpoints WHERE deleted_at IS NOT NULL ORDER BY deleted_at LIMIT $1`, [n])) as MarkedEndpoint[];
  }

  /** Up to `n` deliveries of a marked endpoint, any status and age (their attempts go with them). */
  async deleteDeliveriesOf(m: EntityManager, e: MarkedEndpoint, n: number): Promise<number> {
    return deleted(
      m,
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE tenant_id = $1 AND mode = $2 AND endpoint_id = $3
          ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)`,
      [e.tenant_id, e.mode, e.id, n],
    );
  }

  /**
   * The marked endpoint's row; the cascade takes what its batches left (a delivery a worker held, one a fan-out
   * batch inserted since), and waits for those locks: this runs on the purge's connection, never in a request.
   */
  async deleteMarkedEndpoint(m: EntityManager, id: string): Promise<number> {
    return deleted(m, `DELETE FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NOT NULL`, [id]);
  }

  /** Up to `n` recoveries completed before `cutoff`. */
  async deleteRecoveries(m: EntityManager, cutoff: Date, n: number): Promise<number> {
    return deleted(
      m,
      `DELETE FROM webhook_recoveries WHERE id IN (
         SELECT id FROM webhook_recoveries WHERE status = 'completed' AND completed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, n],
    );
  }
}
