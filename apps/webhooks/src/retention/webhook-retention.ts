/**
 * Retention (SPEC §14): deliveries and their attempts older than
 * `WEBHOOK_RETENTION`, the event bodies no delivery refers to any more, the
 * inbox's record of events that old and finished recoveries are deleted,
 * every `WEBHOOK_PURGE_INTERVAL`, in batches of `WEBHOOK_PURGE_BATCH` rows.
 *
 * Each batch is one statement that picks its rows with SKIP LOCKED (it never
 * waits for a worker's row lock) and holds their locks only while it deletes
 * them; between batches the run pauses twice as long as the batch took, so a
 * purge of millions of rows uses at most a third of one connection. A delivery
 * still being attempted (`pending`) is never purged, nor one whose last
 * change (a retry by hand, say) is within the retention. Deliveries are
 * walked in primary-key order: ids are time-ordered (ULIDs), so "created
 * before the cutoff" is a range of the primary key and needs no index of its
 * own (an extra index would cost every delivery insert and update).
 *
 * One replica purges at a time: the run holds the PostgreSQL advisory lock
 * `hashtext('sigil-webhooks-purge')` on its own connection; a replica that
 * finds it taken skips its turn.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { newId } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';

/** Name of the advisory lock a purge run holds (hashtext of it). */
export const PURGE_LOCK = 'sigil-webhooks-purge';

export interface PurgeResult {
  deliveries: number;
  /** Attempts of deliveries kept (still pending, or changed recently) that are older than the retention. */
  attempts: number;
  bodies: number;
  inbox: number;
  recoveries: number;
  batches: number;
}

/** The smallest id of this prefix created at `at`: every id created before it sorts below. */
export function idTimeBound(prefix: string, at: Date): string {
  return newId(prefix, at.getTime()).slice(0, prefix.length + 11);
}

const TERMINAL = `('delivered', 'failed', 'skipped')`;

@Injectable()
export class WebhookRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
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
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [PURGE_LOCK])) as [{ locked: boolean }];
      if (!locked) return undefined;
      try {
        return await this.purgeLocked(runner, new Date(now.getTime() - this.config.WEBHOOK_RETENTION));
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [PURGE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async purgeLocked(runner: QueryRunner, cutoff: Date): Promise<PurgeResult> {
    const result: PurgeResult = { deliveries: 0, attempts: 0, bodies: 0, inbox: 0, recoveries: 0, batches: 0 };
    const n = this.config.WEBHOOK_PURGE_BATCH;
    const deliveryBound = idTimeBound('msg', cutoff);

    // Deliveries created and last changed before the cutoff, finished; their attempts go with them (ON DELETE CASCADE).
    result.deliveries = await this.inBatches(runner, result, (q) =>
      q(
        `DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries WHERE id < $1 AND status IN ${TERMINAL} AND updated_at < $2
            ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)`,
        [deliveryBound, cutoff, n],
      ),
    );

    // What is left below the bound is kept (pending, or changed recently): only its old attempts go.
    let cursor = '';
    for (;;) {
      if (this.stopping) return result;
      const rows = (await runner.query(`SELECT id FROM webhook_deliveries WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3`, [cursor, deliveryBound, n])) as {
        id: string;
      }[];
      const ids = rows.map((r) => r.id);
      if (!ids.length) break;
      result.attempts += await this.inBatches(
        runner,
        result,
        (q) => q(`DELETE FROM webhook_attempts WHERE delivery_id = ANY($1::text[]) AND attempted_at < $2`, [ids, cutoff]),
        true,
      );
      cursor = ids[ids.length - 1]!;
      if (ids.length < n) break;
    }

    // Bodies of events older than the cutoff that no delivery refers to any more.
    result.bodies = await this.inBatches(runner, result, (q) =>
      q(
        `DELETE FROM webhook_event_bodies WHERE event_id IN (
           SELECT b.event_id FROM webhook_event_bodies b
            WHERE b.event_id < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = b.event_id)
            ORDER BY b.event_id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [idTimeBound('evt', cutoff), n],
      ),
    );

    // The inbox de-duplicates redelivered events; one older than the retention is not expected again.
    result.inbox = await this.inBatches(runner, result, (q) =>
      q(
        `DELETE FROM event_inbox WHERE event_id IN (
           SELECT event_id FROM event_inbox WHERE event_id < $1 ORDER BY event_id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [idTimeBound('evt', cutoff), n],
      ),
    );

    result.recoveries = await this.inBatches(runner, result, (q) =>
      q(
        `DELETE FROM webhook_recoveries WHERE id IN (
           SELECT id FROM webhook_recoveries WHERE status = 'completed' AND completed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [cutoff, n],
      ),
    );
    return result;
  }

  /**
   * Runs a DELETE until it removes fewer than a batch (`once`: a single
   * time), pausing between batches twice as long as the last one took. Returns
   * the rows deleted.
   */
  private async inBatches(
    runner: QueryRunner,
    result: PurgeResult,
    statement: (q: (sql: string, params: unknown[]) => Promise<number>) => Promise<number>,
    once = false,
  ): Promise<number> {
    const q = async (sql: string, params: unknown[]) => {
      const [, affected] = (await runner.query(sql, params)) as [unknown, number];
      return affected;
    };
    let total = 0;
    for (;;) {
      if (this.stopping) return total;
      const started = performance.now();
      const deleted = await statement(q);
      result.batches++;
      total += deleted;
      if (once || deleted < this.config.WEBHOOK_PURGE_BATCH) return total;
      await new Promise((r) => setTimeout(r, Math.min(2000, 2 * (performance.now() - started))));
    }
  }
}
