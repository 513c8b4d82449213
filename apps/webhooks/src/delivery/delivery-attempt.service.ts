/**
 * One delivery attempt, as the queue worker runs it: load the delivery and
 * its endpoint, on a per_contact endpoint take its contact's claim (only the
 * contact's head, one at a time), take a per-endpoint concurrency slot, POST the signed body,
 * and record the attempt and its consequences in one transaction — delivered;
 * retry later (schedule or Retry-After); failed after the last attempt; 410
 * disables the endpoint; an endpoint failing for too long is disabled and
 * `webhook.endpoint_disabled` goes out through the outbox.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Metrics, OutboxWriter, type WebhookDeliveryOutcome } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import type { EndpointRow } from '../endpoints/endpoint.row';
import { EndpointSecrets } from '../secrets/endpoint-secrets';
import { signatureHeaders } from '../signing/webhook-signer';
import type { DeliveryRow } from './delivery.row';
import { ContactOrdering, type OrderedDelivery } from './contact-ordering';
import { EndpointConcurrency, PARK_MS } from './endpoint-concurrency';
import { EndpointRateLimit } from './endpoint-rate-limit';
import { parseDuration, RetrySchedule } from './retry-schedule';
import { WebhookSender, type SendResult } from './webhook-sender';

export type AttemptResult =
  | { kind: 'skipped' }
  | { kind: 'delivered' }
  /** The endpoint has all its slots busy, or (per_contact) an earlier delivery of the contact is pending: wait (parked) without counting an attempt. */
  | { kind: 'busy'; delayMs: number }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'failed'; error: string };

/** PostgreSQL text cannot hold NUL characters. */
function cleanText(text: string | null): string | null {
  return text === null ? null : text.replace(/\u0000/g, '');
}

type Joined = DeliveryRow & { body: string | null } & Pick<
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

/** A per_contact claim outlives the attempt's deadline by this much before another delivery may take it. */
const ORDERING_CLAIM_MARGIN_MS = 15_000;

/** The delivery's place in its contact's queue, when its endpoint orders per contact and the event is about one. */
function orderedOf(d: Joined): OrderedDelivery | undefined {
  if (d.ordering !== 'per_contact' || d.contact_id === null || d.seq === null) return undefined;
  return { id: d.id, endpoint_id: d.endpoint_id, contact_id: d.contact_id, seq: d.seq };
}

@Injectable()
export class DeliveryAttemptService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly sender: WebhookSender,
    private readonly slots: EndpointConcurrency,
    private readonly rate: EndpointRateLimit,
    private readonly ordering: ContactOrdering,
    private readonly schedule: RetrySchedule,
    private readonly metrics: Metrics,
    private readonly secrets: EndpointSecrets,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  /**
   * `failedBefore`: attempts of this job generation that already failed.
   * `jobId`: the queue job, parked on a busy endpoint until a slot frees.
   */
  async attempt(deliveryId: string, generation: number, failedBefore: number, jobId?: string): Promise<AttemptResult> {
    const [d] = (await this.dataSource.query(
      `SELECT d.*, b.body, e.url, e.enabled, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, e.secret_key_id,
              e.rate_limit_per_second, e.max_in_flight, e.timeout_ms, e.retry_schedule, e.headers, e.ordering
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id LEFT JOIN webhook_event_bodies b ON b.event_id = d.event_id AND b.tenant_id = d.tenant_id
        WHERE d.id = $1`,
      [deliveryId],
    )) as Joined[];
    const ordered = d ? orderedOf(d) : undefined;
    // Deleted endpoint, already delivered (a redelivered job) or superseded by a manual retry.
    if (!d || d.status !== 'pending' || d.generation !== generation) {
      // A job retaken after its worker died between recording and releasing: let the contact's queue move on now.
      if (ordered && d!.status !== 'pending') await this.ordering.release(ordered);
      return { kind: 'skipped' };
    }
    // The purge removes a body only once no delivery refers to it: a missing one is a bug to see, not to skip.
    if (d.body === null) throw new Error(`delivery ${d.id}: the body of event ${d.event_id} is missing`);
    // Disabled while queued: kept as `skipped` (no attempt spent), for `recover` after re-enabling.
    if (!d.enabled && d.event_type !== 'webhook.test') {
      await this.dataSource.query(
        `UPDATE webhook_deliveries SET status = 'skipped', last_error = 'endpoint disabled', next_attempt_at = NULL, updated_at = now()
          WHERE id = $1 AND generation = $2 AND status = 'pending'`,
        [d.id, generation],
      );
      if (ordered) await this.ordering.release(ordered); // the contact's next delivery is skipped in turn, in order
      return { kind: 'skipped' };
    }

    const timeoutMs = d.timeout_ms ?? this.config.WEBHOOK_TIMEOUT;
    // per_contact: only the contact's head, one attempt at a time; the others wait (parked, no attempt spent).
    if (ordered) {
      const claim = await this.ordering.claim(ordered, timeoutMs + ORDERING_CLAIM_MARGIN_MS);
      if (!claim.claimed) return { kind: 'busy', delayMs: jobId ? claim.waitMs : Math.min(claim.waitMs, 500) };
    }

    const release = await this.slots.tryAcquire(d.endpoint_id, jobId, d.max_in_flight ?? undefined);
    // Parked: a released slot wakes it; PARK_MS is the fallback. Without a job id, poll shortly.
    if (!release) return { kind: 'busy', delayMs: jobId ? PARK_MS : 100 + Math.floor(Math.random() * 400) };
    let sent: SendResult;
    let attemptedAt: Date;
    try {
      // Throttled: wait (no attempt spent) until the endpoint's sliding second has room.
      const admission = d.rate_limit_per_second ? await this.rate.admit(d.endpoint_id, d.rate_limit_per_second, timeoutMs) : undefined;
      if (admission && !admission.admitted) return { kind: 'busy', delayMs: admission.waitMs + Math.floor(Math.random() * 20) };
      attemptedAt = new Date();
      const timestamp = Math.floor(attemptedAt.getTime() / 1000);
      // Custom headers first: the signature headers are Sigil's (and reserved names are refused on save anyway).
      const headers = { ...d.headers, ...signatureHeaders(this.secrets.active(d.endpoint_id, d, attemptedAt), d.id, timestamp, d.body) };
      try {
        sent = await this.sender.send(d.url, headers, d.body, timeoutMs);
      } finally {
        if (admission?.admitted) await admission.complete().catch(() => undefined);
      }
    } finally {
      await release().catch(() => undefined);
    }

    const result = this.judge(sent, failedBefore, d.retry_schedule);
    if (result.kind === 'delivered') await this.recordDelivered(d, sent, attemptedAt);
    else await this.dataSource.transaction((manager) => this.recordFailure(manager, d, sent, attemptedAt, result));
    // Delivered or failed for good: the contact's next delivery goes. Retrying: it stays the head, the others wait.
    if (ordered) await this.ordering.release(ordered);
    const outcome: WebhookDeliveryOutcome = result.kind === 'delivered' ? 'delivered' : result.kind === 'retry' ? 'retrying' : 'failed';
    this.metrics.recordWebhookDelivery(outcome, sent.latencyMs / 1000);
    return result;
  }

  private judge(sent: SendResult, failedBefore: number, endpointSchedule: string[] | null): AttemptResult {
    const code = sent.statusCode;
    if (code !== null && code >= 200 && code < 300) return { kind: 'delivered' };
    const error = sent.error ?? `HTTP ${code}`;
    if (code === 410) return { kind: 'failed', error: 'HTTP 410: endpoint gone, disabled' };
    const schedule = endpointSchedule ? this.schedule.withDelays(endpointSchedule.map((d) => parseDuration(d) ?? 0)) : this.schedule;
    const delayMs = schedule.delayAfter(failedBefore + 1, sent.retryAfterMs);
    return delayMs === undefined ? { kind: 'failed', error } : { kind: 'retry', delayMs, error };
  }

  /** The common case in one statement (one round trip): delivery, attempt row, endpoint healthy again. */
  private async recordDelivered(d: Joined, sent: SendResult, at: Date): Promise<void> {
    await this.dataSource.query(
      `WITH d AS (
         UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, status = 'delivered', last_status_code = $3, last_error = NULL,
                next_attempt_at = NULL, delivered_at = now(), updated_at = now()
          WHERE id = $1 AND generation = $2 RETURNING id, attempt_count, tenant_id, mode, endpoint_id
       ), a AS (
         INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms, response_body, error)
         SELECT id, attempt_count, tenant_id, mode, $4, $3, $5, $6, NULL FROM d
       )
       UPDATE webhook_endpoints SET failing_since = NULL WHERE id IN (SELECT endpoint_id FROM d) AND failing_since IS NOT NULL`,
      [d.id, d.generation, sent.statusCode, at, sent.latencyMs, cleanText(sent.responseBody)],
    );
  }

  private async recordFailure(manager: EntityManager, d: Joined, sent: SendResult, at: Date, result: AttemptResult): Promise<void> {
    const status = result.kind === 'failed' ? 'failed' : 'pending';
    const nextAt = result.kind === 'retry' ? new Date(at.getTime() + sent.latencyMs + result.delayMs) : null;
    const [rows] = (await manager.query(
      `UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, status = $3, last_status_code = $4, last_error = $5,
              next_attempt_at = $6, updated_at = now()
        WHERE id = $1 AND generation = $2 RETURNING attempt_count`,
      [d.id, d.generation, status, sent.statusCode, sent.error ?? `HTTP ${sent.statusCode}`, nextAt],
    )) as [{ attempt_count: number }[], number];
    const attempt = rows[0]?.attempt_count;
    if (attempt === undefined) return; // superseded by a manual retry while in flight
    await manager.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms, response_body, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [d.id, attempt, d.tenant_id, d.mode, at, sent.statusCode, sent.latencyMs, cleanText(sent.responseBody), sent.error],
    );
    if (sent.statusCode === 410) {
      await this.disable(manager, d, 'gone');
      return;
    }
    if (result.kind === 'failed') {
      const data = {
        endpoint_id: d.endpoint_id,
        delivery_id: d.id,
        event_id: d.event_id,
        event_type: d.event_type,
        attempts: attempt,
        last_status_code: sent.statusCode,
        last_error: sent.error ?? `HTTP ${sent.statusCode}`,
      };
      await this.outbox.append(manager, [{ type: 'webhook.attempt_exhausted', tenant_id: d.tenant_id, mode: d.mode as 'live' | 'test', key: d.endpoint_id, data }]);
    }
    const [failing] = (await manager.query(`UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since, enabled`, [
      d.endpoint_id,
      at,
    ])) as [{ failing_since: Date; enabled: boolean }[], number];
    const since = failing[0];
    if (since?.enabled && at.getTime() - since.failing_since.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_FAILING) {
      await this.disable(manager, d, 'failing');
    }
  }

  private async disable(manager: EntityManager, d: Joined, reason: 'gone' | 'failing'): Promise<void> {
    const [rows] = (await manager.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled RETURNING id`, [
      d.endpoint_id,
      reason,
    ])) as [{ id: string }[], number];
    if (!rows.length) return;
    await this.outbox.append(manager, [
      {
        type: 'webhook.endpoint_disabled',
        tenant_id: d.tenant_id,
        mode: d.mode as 'live' | 'test',
        key: d.endpoint_id,
        data: { endpoint_id: d.endpoint_id, reason },
      },
    ]);
  }
}
