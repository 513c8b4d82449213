/**
 * SQL of the DeliveryReconciler (delivery-reconciler.ts): the pending
 * deliveries overdue by more than a job lock, whose job may be missing from
 * Redis. One statement per sweep.
 *
 * Across tenants, on purpose: the sweep looks for lost jobs of every tenant,
 * and a queue job names a delivery by id only.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeliveryJobData } from './delivery-queue';

@Injectable()
export class DeliveryReconcilerRepository {
  /**
   * Up to `limit` pending deliveries due more than `graceMs` ago, most overdue first. A per_contact delivery waiting
   * behind an earlier one of its contact is not overdue (it is woken, or found here, once it is the head): a long
   * queue of those would otherwise fill every batch and hide the deliveries whose job is really gone. Nor is one of a
   * deleted endpoint (it waits for the purge, never for an attempt).
   */
  async overdue(m: EntityManager, graceMs: number, limit: number): Promise<DeliveryJobData[]> {
    return (await m.query(
      `SELECT d.id AS delivery_id, d.generation FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at < now() - ($1::bigint * interval '1 millisecond')
          AND NOT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.deleted_at IS NOT NULL)
          AND NOT (d.contact_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.ordering = 'per_contact')
                   AND EXISTS (SELECT 1 FROM webhook_deliveries h
                                WHERE h.endpoint_id = d.endpoint_id AND h.contact_id = d.contact_id AND h.status = 'pending' AND h.seq < d.seq))
        ORDER BY d.next_attempt_at LIMIT $2::int`,
      [graceMs, limit],
    )) as DeliveryJobData[];
  }

  /** Those of `deliveries` still pending in the same generation (the others were settled or retried meanwhile). */
  async stillPending(m: EntityManager, deliveries: readonly DeliveryJobData[]): Promise<DeliveryJobData[]> {
    if (!deliveries.length) return [];
    return (await m.query(
      `SELECT d.id AS delivery_id, d.generation FROM webhook_deliveries d
         JOIN unnest($1::text[], $2::int[]) AS q(id, generation) ON q.id = d.id AND q.generation = d.generation
        WHERE d.status = 'pending'`,
      [deliveries.map((d) => d.delivery_id), deliveries.map((d) => d.generation)],
    )) as DeliveryJobData[];
  }
}
