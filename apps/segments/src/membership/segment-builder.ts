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
import { scopeOf } from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { SegmentsRepository, type ClaimedSegment, type SegmentDefinition, type SweptSegment } from '../segments/segments.repository';
import { MembershipService, type Cause } from './membership.service';

export const SEGMENT_BUILDER_SETTINGS = Symbol('SEGMENT_BUILDER_SETTINGS');

export interface SegmentBuilderSettings {
  /** Run the background loop (off in tests that drive it by hand). */
  enabled: boolean;
  pollIntervalMs: number;
  chunkSize: number;
  sweepIntervalMs: number;
  leaseSeconds: number;
}

@Injectable()
export class SegmentBuilder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SegmentBuilder');
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly membership: MembershipService,
    private readonly segments: SegmentsRepository,
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
      const segment = await this.segments.claimBuild(this.dataSource.manager, this.settings.leaseSeconds);
      if (!segment) return finished;
      if (await this.build(segment)) finished++;
    }
  }

  /** Re-evaluates every time-dependent segment whose sweep is due; returns how many were swept. */
  async sweepTimeWindows(): Promise<number> {
    let swept = 0;
    for (;;) {
      const segment = await this.segments.claimSweep(this.dataSource.manager, this.clock.now(), this.settings.sweepIntervalMs / 1000);
      if (!segment) return swept;
      await this.sweep(segment);
      swept++;
    }
  }

  /**
   * One sweep: candidates from a set-based diff — among the contacts whose
   * membership can have changed since the last complete sweep
   * (sweep-window.ts), or every contact when that is unknown — reconciled
   * chunk by chunk (each re-checked under lock, so a contact changed meanwhile
   * is decided on its current data). Repeats while a pass found a full batch.
   * A sweep that finished records the time its membership is exact as of.
   */
  private async sweep(segment: SweptSegment): Promise<void> {
    const cause: Cause = { type: 'time' };
    const batch = this.settings.chunkSize * 25;
    const now = this.clock.now();
    const window = await this.membership.sweepWindow(this.dataSource.manager, segment, segment.window_exact_at, now);
    for (let pass = 0; ; pass++) {
      if (pass === 100) return; // not finished: the next sweep's window starts where the last finished one ended
      const ids = await this.membership.candidates(this.dataSource.manager, segment, batch, now, window);
      for (let i = 0; i < ids.length; i += this.settings.chunkSize) {
        const chunk = ids.slice(i, i + this.settings.chunkSize);
        const stale = await this.dataSource.transaction(async (manager) => {
          if ((await this.segments.lockRulesVersion(manager, scopeOf(segment), segment.id, 'share')) !== segment.rules_version) return true;
          await this.membership.reconcileContacts(manager, segment, chunk, true, cause);
          return false;
        });
        if (stale) return;
      }
      if (ids.length < batch) break;
    }
    await this.segments.markSweptExact(this.dataSource.manager, scopeOf(segment), segment.id, segment.rules_version, now);
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

  private async build(segment: ClaimedSegment): Promise<boolean> {
    const started = Date.now();
    // The first build populates a new segment silently; rebuilds after an edit are real changes.
    const scope = scopeOf(segment);
    const done = await this.reconcileAll(segment, segment.build_cursor ?? '', (cursor, manager) =>
      this.segments.saveBuildCursor(manager, scope, segment.id, cursor, this.settings.leaseSeconds),
    );
    if (!done) return false;
    const finished = await this.segments.markBuilt(this.dataSource.manager, scope, segment.id, segment.rules_version);
    if (finished) this.logger.log({ msg: 'segment built', segment_id: segment.id, ms: Date.now() - started });
    return finished;
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
        if ((await this.segments.lockRulesVersion(manager, scopeOf(segment), segment.id, 'update')) !== segment.rules_version) return 'stale' as const;
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
