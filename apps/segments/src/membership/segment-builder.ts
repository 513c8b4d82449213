/**
 * Background work on whole segments, shared by replicas through leases in the
 * segments table:
 * - builds: a new or edited segment (`building`) is evaluated over every
 *   contact, chunk by chunk, resumable from its cursor after a crash, then
 *   marked `ready`;
 * - time sweeps: segments whose rules depend on time (a `within_days`
 *   window, a relative date) are re-evaluated every sweep interval, so
 *   contacts leave (or enter) as activities age out and date boundaries pass.
 *   A sweep finds the contacts whose membership differs from the rules now in
 *   one set-based query, then reconciles only those, under lock, in chunks.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../clock';
import { DEFINITION_COLUMNS, MembershipService, type Cause, type SegmentDefinition } from './membership.service';
import { returnedRows } from '@sigil/platform';

export const SEGMENT_BUILDER_SETTINGS = Symbol('SEGMENT_BUILDER_SETTINGS');

export interface SegmentBuilderSettings {
  /** Run the background loop (off in tests that drive it by hand). */
  enabled: boolean;
  pollIntervalMs: number;
  chunkSize: number;
  sweepIntervalMs: number;
  leaseSeconds: number;
}

type Claimed = SegmentDefinition & { build_cursor: string | null };

@Injectable()
export class SegmentBuilder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SegmentBuilder');
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly membership: MembershipService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SEGMENT_BUILDER_SETTINGS) private readonly settings: SegmentBuilderSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** A segment was created or edited in this process: start building now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Builds every segment waiting to be built; returns how many were finished. */
  async buildPending(): Promise<number> {
    let finished = 0;
    for (;;) {
      const segment = await this.claimBuild();
      if (!segment) return finished;
      if (await this.build(segment)) finished++;
    }
  }

  /** Re-evaluates every time-dependent segment whose sweep is due; returns how many were swept. */
  async sweepTimeWindows(): Promise<number> {
    let swept = 0;
    for (;;) {
      const segment = await this.claimSweep();
      if (!segment) return swept;
      await this.sweep(segment);
      swept++;
    }
  }

  /**
   * One sweep: candidates from a set-based diff, reconciled chunk by chunk
   * (each re-checked under lock, so a contact changed meanwhile is decided on
   * its current data). Repeats while a pass found a full batch.
   */
  private async sweep(segment: SegmentDefinition): Promise<void> {
    const cause: Cause = { type: 'time' };
    const batch = this.settings.chunkSize * 25;
    for (let pass = 0; pass < 100; pass++) {
      const ids = await this.membership.candidates(this.dataSource.manager, segment, batch);
      for (let i = 0; i < ids.length; i += this.settings.chunkSize) {
        const chunk = ids.slice(i, i + this.settings.chunkSize);
        const stale = await this.dataSource.transaction(async (manager) => {
          const current: Array<{ rules_version: number }> = await manager.query(
            `SELECT rules_version FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = $3 FOR SHARE`,
            [segment.tenant_id, segment.mode, segment.id],
          );
          if (current[0]?.rules_version !== segment.rules_version) return true;
          await this.membership.reconcileContacts(manager, segment, chunk, true, cause);
          return false;
        });
        if (stale) return;
      }
      if (ids.length < batch) return;
    }
  }

  private async run(): Promise<void> {
    let lastSweep = 0;
    while (this.running) {
      try {
        await this.buildPending();
        if (Date.now() - lastSweep >= this.settings.sweepIntervalMs) {
          lastSweep = Date.now();
          await this.sweepTimeWindows();
        }
      } catch (err) {
        this.logger.error(`segment build/sweep failed, retrying: ${String(err)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.pollIntervalMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async claimBuild(): Promise<Claimed | undefined> {
    const rows = returnedRows<Claimed>(
      await this.dataSource.query(
        `UPDATE segments s SET build_lease_until = now() + make_interval(secs => $1::int)
          WHERE (s.tenant_id, s.mode, s.id) IN (
            SELECT tenant_id, mode, id FROM segments
             WHERE status = 'building' AND (build_lease_until IS NULL OR build_lease_until < now())
             ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING ${DEFINITION_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, s.build_cursor`,
        [this.settings.leaseSeconds],
      ),
    );
    return rows[0];
  }

  private async claimSweep(): Promise<Claimed | undefined> {
    const now = this.clock.now();
    const rows = returnedRows<Claimed>(
      await this.dataSource.query(
        `UPDATE segments s SET window_swept_at = $1::timestamptz
          WHERE (s.tenant_id, s.mode, s.id) IN (
            SELECT tenant_id, mode, id FROM segments
             WHERE status = 'ready' AND time_window
               AND (window_swept_at IS NULL OR window_swept_at <= $1::timestamptz - make_interval(secs => $2::double precision))
             ORDER BY window_swept_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING ${DEFINITION_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, NULL AS build_cursor`,
        [now.toISOString(), this.settings.sweepIntervalMs / 1000],
      ),
    );
    return rows[0];
  }

  private async build(segment: Claimed): Promise<boolean> {
    const started = Date.now();
    // The first build populates a new segment silently; rebuilds after an edit are real changes.
    const done = await this.reconcileAll(segment, segment.build_cursor ?? '', async (cursor, manager) => {
      await manager.query(
        `UPDATE segments SET build_cursor = $4, build_lease_until = now() + make_interval(secs => $5::int)
          WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
        [segment.tenant_id, segment.mode, segment.id, cursor, this.settings.leaseSeconds],
      );
    });
    if (!done) return false;
    const finished = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE segments SET status = 'ready', built_at = now(), build_cursor = NULL, build_lease_until = NULL
          WHERE tenant_id = $1 AND mode = $2 AND id = $3 AND rules_version = $4 AND status = 'building' RETURNING id`,
        [segment.tenant_id, segment.mode, segment.id, segment.rules_version],
      ),
    );
    if (finished.length) this.logger.log({ msg: 'segment built', segment_id: segment.id, ms: Date.now() - started });
    return finished.length > 0;
  }

  /**
   * Reconciles a segment from `after` to the end, one transaction per chunk.
   * Stops (returning false) if the segment was edited or deleted meanwhile.
   */
  private async reconcileAll(segment: SegmentDefinition, after: string, progress: (cursor: string, manager: EntityManager) => unknown): Promise<boolean> {
    const emit = segment.built_at !== null;
    const cause: Cause = { type: emit ? 'rules' : 'build' };
    let cursor: string | null = after;
    while (cursor !== null) {
      const from: string = cursor;
      const outcome = await this.dataSource.transaction(async (manager) => {
        const current: Array<{ rules_version: number }> = await manager.query(
          `SELECT rules_version FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = $3 FOR UPDATE`,
          [segment.tenant_id, segment.mode, segment.id],
        );
        if (current[0]?.rules_version !== segment.rules_version) return 'stale' as const;
        const next = await this.membership.reconcileChunk(manager, segment, from, this.settings.chunkSize, emit, cause);
        if (next !== null) await progress(next, manager);
        return next;
      });
      if (outcome === 'stale') return false;
      cursor = outcome;
    }
    return true;
  }
}
