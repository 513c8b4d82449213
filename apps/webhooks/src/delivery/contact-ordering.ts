/**
 * `ordering: "per_contact"` (SPEC §14), decided by PostgreSQL so it holds
 * across every replica and survives a crash: a contact's pending deliveries
 * to an endpoint form a queue in `seq` order (the order their events reached
 * the service), and only its head may be attempted, one attempt at a time.
 *
 * - **Claim**: before an attempt, one statement checks that no earlier
 *   delivery of the contact is still pending and takes the (endpoint,
 *   contact) claim row, which another delivery of that contact cannot take
 *   while it is held: a retaken job of the same delivery takes it back at
 *   once, and a claim whose delivery is settled (its worker was killed
 *   between recording the outcome and releasing) or whose lease lapsed (the
 *   attempt's deadline and a margin) is taken over. The row lock of that one
 *   statement is what makes "one in flight per contact" exact, even while
 *   `recover` or `retry` puts an earlier delivery back in the queue.
 * - **Waiting**: a delivery that is not its contact's head is parked in
 *   BullMQ's delayed set (no attempt spent), like a delivery waiting for an
 *   endpoint slot, until its predecessor's outcome is recorded: then the new
 *   head's job is promoted. A parked delivery also wakes by itself (when the
 *   head's next retry is due, or after `ORDERED_WAIT_MAX_MS`), so a wake-up
 *   lost to a crash costs delay, never a delivery.
 * - **Release**: after the outcome of an attempt is recorded (delivered,
 *   retrying, failed for good, skipped), the claim row is deleted and the
 *   contact's head, if it is another delivery, is woken.
 */
import type { DataSource } from 'typeorm';

/** Longest a waiting delivery sleeps before it checks again by itself. */
export const ORDERED_WAIT_MAX_MS = 60_000;
/** A waiting delivery behind an attempt in flight: woken by its outcome, or by itself after this. */
const BEHIND_IN_FLIGHT_MS = 30_000;

/** What the claim needs of a delivery: its endpoint, contact and place. */
export interface OrderedDelivery {
  id: string;
  endpoint_id: string;
  contact_id: string;
  seq: string | number;
}

export type Claim = { claimed: true } | { claimed: false; waitMs: number };

/** Promotes a parked job (see DeliveryQueue.promote). */
export type WakeJob = (deliveryId: string, generation: number) => Promise<unknown>;

export class ContactOrdering {
  constructor(
    private readonly dataSource: DataSource,
    private readonly wake: WakeJob,
  ) {}

  /**
   * Takes the contact's claim for this delivery's attempt, if it is the head and no other delivery of the contact is
   * in flight. `leaseMs`: how long the claim holds if it is never released (the attempt's deadline and a margin).
   */
  async claim(d: OrderedDelivery, leaseMs: number): Promise<Claim> {
    const [row] = (await this.dataSource.query(
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
    )) as { claimed: boolean; behind: boolean; head_due_ms: string | null; held_ms: string | null }[];
    if (row!.claimed) return { claimed: true };
    return { claimed: false, waitMs: waitFor(row!.behind, row!.head_due_ms === null ? null : Number(row!.head_due_ms), Number(row!.held_ms ?? 0)) };
  }

  /**
   * After this delivery's outcome is recorded (or its job found it already settled): frees its claim and wakes the
   * contact's head if that is now another delivery. A retrying delivery stays the head, so nothing wakes behind it.
   */
  async release(d: OrderedDelivery): Promise<void> {
    const [next] = (await this.dataSource.query(
      `WITH released AS (
         DELETE FROM webhook_ordering_claims WHERE endpoint_id = $1 AND contact_id = $2 AND delivery_id = $3
       )
       SELECT id, generation FROM webhook_deliveries
        WHERE endpoint_id = $1 AND contact_id = $2 AND status = 'pending'
        ORDER BY seq LIMIT 1`,
      [d.endpoint_id, d.contact_id, d.id],
    )) as { id: string; generation: number }[];
    if (next && next.id !== d.id) await this.wake(next.id, next.generation);
  }

  /** The contact's queue on an endpoint, head first (tests, operators). */
  async queue(endpointId: string, contactId: string): Promise<{ id: string; seq: string }[]> {
    return (await this.dataSource.query(`SELECT id, seq FROM webhook_deliveries WHERE endpoint_id = $1 AND contact_id = $2 AND status = 'pending' ORDER BY seq`, [
      endpointId,
      contactId,
    ])) as { id: string; seq: string }[];
  }
}

/**
 * How long a delivery that could not claim sleeps before it checks again by itself (its predecessor's outcome
 * normally wakes it sooner): behind a head waiting for a retry, until that retry is due; behind an attempt in flight,
 * a while; kept out by a claim with no earlier delivery pending (a crashed worker's), until the claim lapses.
 */
export function waitFor(behind: boolean, headDueMs: number | null, heldMs: number): number {
  const jitter = Math.floor(Math.random() * 250);
  if (!behind) return Math.min(Math.max(heldMs, 50), ORDERED_WAIT_MAX_MS) + jitter;
  if (headDueMs !== null && headDueMs > 0) return Math.min(headDueMs + 1000, ORDERED_WAIT_MAX_MS) + jitter;
  return BEHIND_IN_FLIGHT_MS + jitter;
}
