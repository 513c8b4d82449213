/**
 * One delivery attempt, as the queue worker runs it: load the delivery and
 * its endpoint, on a per_contact endpoint take its contact's claim (only the
 * contact's head, one at a time), take a per-endpoint concurrency slot, POST the signed body,
 * and record the attempt and its consequences — delivered;
 * retry later (schedule or Retry-After); failed after the last attempt; 410
 * disables the endpoint; an endpoint failing for too long is disabled and
 * `webhook.endpoint_disabled` goes out through the outbox (one transaction
 * per failed attempt).
 *
 * The common statements are shared between attempts: the loads of every
 * attempt starting within a tick are one SELECT, and the successes recorded
 * within a tick (or while the previous batch was being written) are one
 * statement. An attempt's job completes only after its own record is
 * committed, so a crash loses nothing that a single statement would not.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Coalescer, Metrics, OutboxWriter, type ItemResult, type WebhookDeliveryOutcome } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { EndpointSecrets } from '../secrets/endpoint-secrets';
import { signatureHeaders } from '../signing/webhook-signer';
import { ContactOrdering } from './contact-ordering';
import type { OrderedDelivery } from './contact-ordering.repository';
import { DeliveryAttemptsRepository, type AttemptRecord, type DeliveryToAttempt } from './delivery-attempts.repository';
import { EndpointConcurrency } from './endpoint-concurrency';
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

type Joined = DeliveryToAttempt;

/** A per_contact claim outlives the attempt's deadline by this much before another delivery may take it. */
const ORDERING_CLAIM_MARGIN_MS = 15_000;

/** Most deliveries loaded, or successes recorded, by one statement. */
const MAX_BATCH = 200;

/** The delivery's place in its contact's queue, when its endpoint orders per contact and the event is about one. */
function orderedOf(d: Joined): OrderedDelivery | undefined {
  if (d.ordering !== 'per_contact' || d.contact_id === null || d.seq === null) return undefined;
  return { id: d.id, endpoint_id: d.endpoint_id, contact_id: d.contact_id, seq: d.seq };
}

@Injectable()
export class DeliveryAttemptService {
  private readonly logger = new Logger('DeliveryAttemptService');
  /** Loads of attempts starting together: one SELECT (reads: two batches may run at once). */
  private readonly loads = new Coalescer<string, Joined | undefined>((ids) => this.loadBatch(ids), { maxBatch: MAX_BATCH, maxInFlight: 2 });
  /** Successes: one statement per batch, one batch at a time (batches never wait on each other's row locks). */
  private readonly successes = new Coalescer<AttemptRecord, boolean>((records) => this.recordDeliveredBatch(records), { maxBatch: MAX_BATCH, maxInFlight: 1 });

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DeliveryAttemptsRepository,
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
   * `jobId`: the queue job, parked on a busy endpoint until a slot frees; `queuedAt`: when that job was queued (ms), its
   * place in the endpoint's line.
   */
  async attempt(deliveryId: string, generation: number, failedBefore: number, jobId?: string, queuedAt?: number): Promise<AttemptResult> {
    const d = await this.loads.submit(deliveryId);
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
      await this.repository.skip(this.dataSource.manager, d.id, generation);
      if (ordered) await this.ordering.release(ordered); // the contact's next delivery is skipped in turn, in order
      return { kind: 'skipped' };
    }

    const timeoutMs = d.timeout_ms ?? this.config.WEBHOOK_TIMEOUT;
    // per_contact: only the contact's head, one attempt at a time; the others wait (parked, no attempt spent).
    if (ordered) {
      const claim = await this.ordering.claim(ordered, timeoutMs + ORDERING_CLAIM_MARGIN_MS);
      if (!claim.claimed) return { kind: 'busy', delayMs: jobId ? claim.waitMs : Math.min(claim.waitMs, 500) };
    }

    const release = await this.slots.tryAcquire(d.endpoint_id, jobId, d.max_in_flight ?? undefined, queuedAt);
    // Parked, in the line by when its job was queued: a released slot wakes it; its own wake-up (PARK_MS at the head of
    // the line, longer behind) is the fallback.
    // Without a job id, poll shortly.
    if (!release) {
      const delayMs = jobId ? await this.slots.parkedWaitMs(d.endpoint_id, jobId, d.max_in_flight ?? undefined) : 100 + Math.floor(Math.random() * 400);
      return { kind: 'busy', delayMs };
    }
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
    const record: AttemptRecord = {
      deliveryId: d.id,
      generation: d.generation,
      attemptedAt,
      statusCode: sent.statusCode,
      latencyMs: sent.latencyMs,
      responseBody: sent.responseBody,
      error: sent.error,
    };
    if (result.kind === 'delivered') await this.successes.submit(record);
    else await this.dataSource.transaction((manager) => this.recordFailure(manager, d, record, sent.latencyMs, result));
    // Delivered or failed for good: the contact's next delivery goes. Retrying: it stays the head, the others wait.
    if (ordered) await this.ordering.release(ordered);
    const outcome: WebhookDeliveryOutcome = result.kind === 'delivered' ? 'delivered' : result.kind === 'retry' ? 'retrying' : 'failed';
    this.metrics.recordWebhookDelivery(outcome, sent.latencyMs / 1000);
    return result;
  }

  private async loadBatch(ids: string[]): Promise<ItemResult<Joined | undefined>[]> {
    const byId = new Map((await this.repository.load(this.dataSource.manager, ids)).map((d) => [d.id, d]));
    return ids.map((id) => ({ ok: true, value: byId.get(id) }));
  }

  /**
   * One statement for the batch. Should it fail (a deadlock with another replica's batch on an endpoint row, say),
   * each record is written alone, so one bad record cannot fail the others' jobs (and send their deliveries again).
   */
  private async recordDeliveredBatch(records: AttemptRecord[]): Promise<ItemResult<boolean>[]> {
    try {
      const recorded = await this.repository.recordDelivered(this.dataSource.manager, records);
      return records.map((r) => ({ ok: true, value: recorded.has(r.deliveryId) }));
    } catch (err) {
      if (records.length === 1) throw err;
      this.logger.warn(`recording ${records.length} deliveries at once failed (${String(err)}); recording them one by one`);
      const results: ItemResult<boolean>[] = [];
      for (const r of records) {
        try {
          results.push({ ok: true, value: (await this.repository.recordDelivered(this.dataSource.manager, [r])).has(r.deliveryId) });
        } catch (one) {
          results.push({ ok: false, error: one instanceof Error ? one : new Error(String(one)) });
        }
      }
      return results;
    }
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

  private async recordFailure(manager: EntityManager, d: Joined, record: AttemptRecord, latencyMs: number, result: AttemptResult): Promise<void> {
    const at = record.attemptedAt;
    const nextAttemptAt = result.kind === 'retry' ? new Date(at.getTime() + latencyMs + result.delayMs) : null;
    const attempt = await this.repository.recordFailure(manager, d, record, { status: result.kind === 'failed' ? 'failed' : 'pending', nextAttemptAt });
    if (attempt === undefined) return; // superseded by a manual retry while in flight
    if (record.statusCode === 410) {
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
        last_status_code: record.statusCode,
        last_error: record.error ?? `HTTP ${record.statusCode}`,
      };
      await this.outbox.append(manager, [{ type: 'webhook.attempt_exhausted', tenant_id: d.tenant_id, mode: d.mode as 'live' | 'test', key: d.endpoint_id, data }]);
    }
    const since = await this.repository.markFailing(manager, d.endpoint_id, at);
    if (since?.enabled && at.getTime() - since.failing_since.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_FAILING) {
      await this.disable(manager, d, 'failing');
    }
  }

  private async disable(manager: EntityManager, d: Joined, reason: 'gone' | 'failing'): Promise<void> {
    if (!(await this.repository.disableEndpoint(manager, d.endpoint_id, reason))) return;
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
