/**
 * Retention (SPEC §14): deliveries and their attempts older than
 * `WEBHOOK_RETENTION`, the event bodies no delivery refers to any more, the
 * inbox's record of events that old and finished recoveries are deleted,
 * every `WEBHOOK_PURGE_INTERVAL`, in batches of `WEBHOOK_PURGE_BATCH` rows.
 * Before those, endpoints deleted through the API (only marked in the
 * request: endpoints.repository.ts) go with all their deliveries, whatever
 * their age, a batch at a time.
 *
 * Each batch is one statement that picks its rows with SKIP LOCKED (it never
 * waits for a worker's row lock) and holds their locks only while it deletes
 * them; between batches the run pauses `PAUSE_FACTOR` times as long as the
 * batch took, so a purge of millions of rows uses at most a sixth of one
 * connection (and of one core: on the bench's two cores, a third let the
 * purge of 10 M rows push delivery p99 up by 4 to 190 % from run to run,
 * docs/webhooks.md, session 20) — still ~11 000 rows a second there. A delivery
 * still being attempted (`pending`) is never purged, nor one whose last
 * change (a retry by hand, say) is within the retention. Deliveries are
 * walked in primary-key order: ids are time-ordered (ULIDs), so "created
 * before the cutoff" is a range of the primary key and needs no index of its
 * own (an extra index would cost every delivery insert and update).
 *
 * One replica purges at a time: the run holds the PostgreSQL advisory lock
 * `hashtext('sigil-webhooks-purge')` on its own connection; a replica that
 * finds it taken skips its turn.
 *
 * The statements are in webhook-retention.repository.ts; this file runs
 * them in batches, paced, and adds up what they removed.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { WebhookRetentionRepository, type BatchDeleted } from './webhook-retention.repository';

export interface PurgeResult {
  deliveries: number;
  /** Attempts of deliveries kept (still pending, or changed recently) that are older than the retention. */
  attempts: number;
  bodies: number;
  inbox: number;
  recoveries: number;
  /** Deleted endpoints removed, and their deliveries (any age; attempts by cascade). */
  endpoints: number;
  endpointDeliveries: number;
  batches: number;
}

/** Pause between two batches, as a multiple of the last batch's time (the purge's duty: 1 / (1 + PAUSE_FACTOR)). */
const PAUSE_FACTOR = 5;
const MAX_PAUSE_MS = 5000;

/** Marked endpoints read per round. */
const MARKED_PER_ROUND = 100;

/** The smallest id of this prefix created at `at`: every id created before it sorts below. */
export function idTimeBound(prefix: string, at: Date): string {
  return newId(prefix, at.getTime()).slice(0, prefix.length + 11);
}

@Injectable()
export class WebhookRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: WebhookRetentionRepository,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.purge()
        .then((r) => {
          if (r && r.batches > 0) this.logger.log(`purged ${JSON.stringify(r)}`);
        })
        .catch((err: unknown) => this.logger.error(`purge failed: ${String(err)}`))
        .finally(() => (this.running = undefined));
    }, this.config.WEBHOOK_PURGE_INTERVAL);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One run up to `now`; undefined when another replica is purging. */
  async purge(now = new Date()): Promise<PurgeResult | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // The lock belongs to the connection: every statement of the run goes through this runner's manager.
      const m = runner.manager;
      if (!(await this.repository.tryLock(m))) return undefined;
      try {
        return await this.purgeLocked(m, new Date(now.getTime() - this.config.WEBHOOK_RETENTION));
      } finally {
        await this.repository.unlock(m);
      }
    } finally {
      await runner.release();
    }
  }

  private async purgeLocked(m: EntityManager, cutoff: Date): Promise<PurgeResult> {
    const result: PurgeResult = { deliveries: 0, attempts: 0, bodies: 0, inbox: 0, recoveries: 0, endpoints: 0, endpointDeliveries: 0, batches: 0 };
    const n = this.config.WEBHOOK_PURGE_BATCH;

    // Endpoints deleted through the API, with everything they had.
    for (;;) {
      const marked = await this.repository.markedEndpoints(m, MARKED_PER_ROUND);
      for (const e of marked) {
        result.endpointDeliveries += await this.inBatches(result, () => this.repository.deleteDeliveriesOf(m, e, n));
        if (this.stopping) return result;
        result.endpoints += await this.repository.deleteMarkedEndpoint(m, e.id);
      }
      if (marked.length < MARKED_PER_ROUND) break;
    }

    const deliveryBound = idTimeBound('msg', cutoff);
    const eventBound = idTimeBound('evt', cutoff);

    // Deliveries created and last changed before the cutoff, finished; their attempts go with them.
    result.deliveries = await this.inBatchesAfter(result, (after) => this.repository.deleteDeliveries(m, after, deliveryBound, cutoff, n));

    // What is left below the bound is kept (pending, or changed recently): only its old attempts go.
    let cursor = '';
    for (;;) {
      if (this.stopping) return result;
      const ids = await this.repository.keptDeliveryIds(m, cursor, deliveryBound, n);
      if (!ids.length) break;
      result.attempts += await this.inBatches(result, () => this.repository.deleteAttempts(m, ids, cutoff), true);
      cursor = ids[ids.length - 1]!;
      if (ids.length < n) break;
    }

    // Bodies of events older than the cutoff that no delivery refers to any more.
    result.bodies = await this.inBatchesAfter(result, (after) => this.repository.deleteBodies(m, after, eventBound, n));
    // The inbox de-duplicates redelivered events; one older than the retention is not expected again.
    result.inbox = await this.inBatchesAfter(result, (after) => this.repository.deleteInbox(m, after, eventBound, n));
    result.recoveries = await this.inBatches(result, () => this.repository.deleteRecoveries(m, cutoff, n));
    return result;
  }

  /**
   * `inBatches` of a DELETE that walks its table in key order: each batch starts after the greatest key the previous
   * one removed, so it never steps over the index entries of rows this run already deleted (dead until vacuumed) or
   * decided to keep. A row passed over because a worker held it (SKIP LOCKED) is reached by the next run, which
   * starts from the beginning again.
   */
  private async inBatchesAfter(result: PurgeResult, statement: (after: string) => Promise<BatchDeleted>): Promise<number> {
    let after = '';
    return this.inBatches(result, async () => {
      const batch = await statement(after);
      if (batch.last !== null) after = batch.last;
      return batch.deleted;
    });
  }

  /**
   * Runs a DELETE until it removes fewer than a batch (`once`: a single
   * time), pausing between batches `PAUSE_FACTOR` times as long as the last one took. Returns
   * the rows deleted.
   */
  private async inBatches(result: PurgeResult, statement: () => Promise<number>, once = false): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopping) return total;
      const started = performance.now();
      const deleted = await statement();
      result.batches++;
      total += deleted;
      if (once || deleted < this.config.WEBHOOK_PURGE_BATCH) return total;
      await new Promise((r) => setTimeout(r, Math.min(MAX_PAUSE_MS, PAUSE_FACTOR * (performance.now() - started))));
    }
  }
}
