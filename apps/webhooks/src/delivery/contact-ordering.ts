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
 *
 * The statements are in contact-ordering.repository.ts; this file decides
 * what a claim's outcome means (how long to wait) and whom to wake.
 */
import type { DataSource } from 'typeorm';
import type { ContactOrderingRepository, OrderedDelivery } from './contact-ordering.repository';

/** Longest a waiting delivery sleeps before it checks again by itself. */
export const ORDERED_WAIT_MAX_MS = 60_000;
/** A waiting delivery behind an attempt in flight: woken by its outcome, or by itself after this. */
const BEHIND_IN_FLIGHT_MS = 30_000;

export type Claim = { claimed: true } | { claimed: false; waitMs: number };

/** Promotes a parked job (see DeliveryQueue.promote). */
export type WakeJob = (deliveryId: string, generation: number) => Promise<unknown>;

export class ContactOrdering {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ContactOrderingRepository,
    private readonly wake: WakeJob,
  ) {}

  /**
   * Takes the contact's claim for this delivery's attempt, if it is the head and no other delivery of the contact is
   * in flight. `leaseMs`: how long the claim holds if it is never released (the attempt's deadline and a margin).
   */
  async claim(d: OrderedDelivery, leaseMs: number): Promise<Claim> {
    const row = await this.repository.claim(this.dataSource.manager, d, leaseMs);
    if (row.claimed) return { claimed: true };
    return { claimed: false, waitMs: waitFor(row.behind, row.head_due_ms === null ? null : Number(row.head_due_ms), Number(row.held_ms ?? 0)) };
  }

  /**
   * After this delivery's outcome is recorded (or its job found it already settled): frees its claim and wakes the
   * contact's head if that is now another delivery. A retrying delivery stays the head, so nothing wakes behind it.
   */
  async release(d: OrderedDelivery): Promise<void> {
    const next = await this.repository.release(this.dataSource.manager, d);
    if (next && next.id !== d.id) await this.wake(next.id, next.generation);
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
