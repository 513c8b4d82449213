/**
 * SQL of per_contact ordering (contact-ordering.ts): a contact's queue on an
 * endpoint (its pending deliveries in `seq` order, in `webhook_deliveries`)
 * and the `webhook_ordering_claims` row of the delivery in flight. Each
 * method is one statement; the claim's row lock is what makes "one in
 * flight per contact" exact across replicas.
 *
 * Not bound to a tenant, on purpose, like the rest of the worker's SQL
 * (delivery-attempts.repository.ts): a delivery is named by its endpoint,
 * contact and id, taken from the delivery row the worker loaded, and an
 * endpoint's deliveries and claims are all of its own tenant.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What the claim needs of a delivery: its endpoint, contact and place. */
export interface OrderedDelivery {
  id: string;
  endpoint_id: string;
  contact_id: string;
  seq: string | number;
}

/** The outcome of a claim, and what a delivery that did not get it waits for. */
export interface ClaimRow {
  claimed: boolean;
  /** An earlier delivery of the contact is pending. */
  behind: boolean;
  /** When that earlier delivery (the head) is due, in ms from now (bigint as text); null when none. */
  head_due_ms: string | null;
  /** How long the contact's claim still holds, in ms (bigint as text); null when there is none. */
  held_ms: string | null;
}

@Injectable()
export class ContactOrderingRepository {
  /**
   * Takes the contact's claim for this delivery, leased for `leaseMs`, if no earlier delivery of the contact is
   * pending and the claim is free, already this delivery's, lapsed, or held by a delivery that is no longer pending.
   */
  async claim(m: EntityManager, d: OrderedDelivery, leaseMs: number): Promise<ClaimRow> {
    const [row] = (await m.query(
      `WITH head AS (
         SELECT next_attempt_at FROM webhook_deliveries
          WHERE endpoint_id = $1 AND contact_id = $2 AND status = 'pending' AND seq < $4
          ORDER BY seq LIMIT 1
       ), claim AS (
         INSERT INTO webhook_ordering_claims AS c (endpoint_id, contact_id, delivery_id, until)
         SELECT $1, $2, $3, now() + ($5::bigint * interval '1 millisecond') WHERE NOT EXISTS (SELECT 1 FROM head)
         ON CONFLICT (endpoint_id, contact_id) DO UPDATE SET delivery_id = EXCLUDED.delivery_id, until = EXCLUDED.until
          WHERE c.delivery_id = EXCLUDED.delivery_id OR c.until < now()
             OR NOT EXISTS (SELECT 1 FROM webhook_deliveries h WHERE h.id = c.delivery_id AND h.status = 'pending')
         RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM claim) AS claimed,
              (SELECT EXISTS (SELECT 1 FROM head)) AS behind,
              (SELECT GREATEST(0, EXTRACT(EPOCH FROM (next_attempt_at - now())) * 1000)::bigint FROM head) AS head_due_ms,
              (SELECT GREATEST(0, EXTRACT(EPOCH FROM (until - now())) * 1000)::bigint FROM webhook_ordering_claims
                WHERE endpoint_id = $1 AND contact_id = $2) AS held_ms`,
      [d.endpoint_id, d.contact_id, d.id, d.seq, leaseMs],
    )) as ClaimRow[];
    return row!;
  }

  /** Frees this delivery's claim (if it holds it) and returns the contact's head now, if any. */
  async release(m: EntityManager, d: OrderedDelivery): Promise<{ id: string; generation: number } | undefined> {
    const [next] = (await m.query(
      `WITH released AS (
         DELETE FROM webhook_ordering_claims WHERE endpoint_id = $1 AND contact_id = $2 AND delivery_id = $3
       )
       SELECT id, generation FROM webhook_deliveries
        WHERE endpoint_id = $1 AND contact_id = $2 AND status = 'pending'
        ORDER BY seq LIMIT 1`,
      [d.endpoint_id, d.contact_id, d.id],
    )) as { id: string; generation: number }[];
    return next;
  }

  /** The contact's queue on an endpoint, head first. */
  async queue(m: EntityManager, endpointId: string, contactId: string): Promise<{ id: string; seq: string }[]> {
    return (await m.query(`SELECT id, seq FROM webhook_deliveries WHERE endpoint_id = $1 AND contact_id = $2 AND status = 'pending' ORDER BY seq`, [
      endpointId,
      contactId,
    ])) as { id: string; seq: string }[];
  }
}
