/**
 * Materialised segment membership. Contacts are re-evaluated against the
 * tenant's segments when something about them changes (incremental path),
 * and whole segments chunk by chunk when their rules change or time passes
 * (reconcile path). Every change of membership is written with its
 * `segment.contact_entered` / `segment.contact_exited` event in the same
 * transaction (outbox) and kept in the membership history with its cause.
 *
 * Segments that reference segments (`{"segment": id}`) see the inner's
 * membership as this transaction leaves it, each segment once per pass: the
 * incremental path decides every segment in one statement, an inner segment
 * re-evaluated with it inlined as its predicate; the reconcile path updates
 * the segments built on a changed one after it. Events go out in dependency
 * order (a contact's inner entries before its outer ones).
 *
 * Concurrency: whoever re-evaluates a contact holds its read-model row lock —
 * FOR UPDATE on the incremental path, FOR SHARE per reconcile chunk (FOR
 * UPDATE for contacts whose change reaches outer segments) — so a contact is
 * never evaluated by two transactions that would each miss the other's change.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Mode } from '@sigil/contracts';
import { OutboxWriter, outboxRowsJson, recordIdempotencyKey, scopeOf, type NewEvent, type TenantScope } from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { compileRules, withConsent, type SqlParams } from '../rules/rules.compiler';
import { checkRules, type CheckedNode } from '../rules/rules.validator';
import { SegmentsRepository, type SegmentDefinition } from '../segments/segments.repository';
import { MembershipRepository, type HistoryCause, type Pair, type Predicate } from './membership.repository';
import { anniversaryZones, sweepWindow, type SweepWindow } from './sweep-window';

/**
 * Why membership changed, kept in the history: a contact event (`contact.updated`
 * with its id), a list change (`list.member_added` with its event id), `time`
 * (the sweeper), `rules` (rebuild after an edit), `build` (first build).
 */
export interface Cause {
  type: string;
  event_id?: string | null;
}

/** How far before the last exact sweep a sweep's window starts. */
const SWEEP_OVERLAP_MS = 5000;

/** Segments evaluated per statement on the incremental path. */
const SEGMENTS_PER_STATEMENT = 50;

@Injectable()
export class MembershipService {
  private readonly compiled = new Map<string, CheckedNode>();

  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly members: MembershipRepository,
    private readonly segments: SegmentsRepository,
    private readonly readModel: ReadModelRepository,
  ) {}

  /** The checked tree of a stored segment (stored rules were validated when saved). */
  treeOf(segment: Pick<SegmentDefinition, 'id' | 'rules' | 'rules_version'>): CheckedNode {
    const key = `${segment.id}:${segment.rules_version}`;
    let tree = this.compiled.get(key);
    if (!tree) {
      tree = checkRules(segment.rules).tree;
      if (this.compiled.size > 10000) this.compiled.clear();
      this.compiled.set(key, tree);
    }
    return tree;
  }

  /** Whether a stored segment's membership can change with time alone (the sweeper re-evaluates it). */
  isTimeDependent(segment: Pick<SegmentDefinition, 'rules'>): boolean {
    return checkRules(segment.rules).timeWindow;
  }

  /** The membership predicate of a stored segment: its rules and the consent default. */
  predicateOf(segment: Pick<SegmentDefinition, 'id' | 'rules' | 'rules_version' | 'include_unsubscribed'>, now = this.clock.now()): Predicate {
    const tree = this.treeOf(segment);
    return (p: SqlParams) => withConsent(compileRules(tree, p, { now }), segment.include_unsubscribed);
  }

  /**
   * Re-evaluates some contacts (row-locked FOR UPDATE by the caller) against the
   * tenant's segments — or only those `only` selects and every segment built on
   * them — and records entries and exits. `cause` is one cause for all, or one
   * per contact id.
   */
  async reevaluate(
    manager: EntityManager,
    tenantId: string,
    mode: Mode,
    contactIds: string[],
    only?: (segment: SegmentDefinition) => boolean,
    cause: Cause | ReadonlyMap<string, Cause> = { type: 'contact' },
  ): Promise<void> {
    if (!contactIds.length) return;
    const scope: TenantScope = { tenantId, mode };
    const all = await this.segments.definitions(manager, scope);
    const selected = only ? withDependents(all, new Set(all.filter(only).map((s) => s.id))) : all;
    if (!selected.length) return;
    const now = this.clock.now();
    // Every selected segment is decided in one statement (per 50): a segment it references that is
    // selected too has its predicate inlined (inlinedPredicate) instead of its membership read.
    const inline = new Map(selected.map((s) => [s.id, s]));
    // Decided per contact and segment as the rows come: no "segment contact" key strings, sets of them and splits
    // (with the event sort below, 12 % of the service's busy time at 500 updates/s: docs/segments.md, session 10).
    const enter: Pair[] = [];
    const exit: Pair[] = [];
    for (let i = 0; i < selected.length; i += SEGMENTS_PER_STATEMENT) {
      const batch = selected.slice(i, i + SEGMENTS_PER_STATEMENT);
      const rows = await this.members.evaluate(
        manager,
        scope,
        contactIds,
        batch.map((s) => ({ id: s.id, predicate: this.inlinedPredicate(s, inline, now) })),
      );
      const decided = new Set<string>();
      for (const row of rows) {
        if (decided.has(row.id)) continue; // an id asked twice: one decision
        decided.add(row.id);
        const memberOf = row.memberOf;
        for (let j = 0; j < batch.length; j++) {
          const segmentId = batch[j]!.id;
          const member = memberOf.includes(segmentId);
          if (row.matches[j] && !member) enter.push({ segment_id: segmentId, contact_id: row.id });
          else if (!row.matches[j] && member) exit.push({ segment_id: segmentId, contact_id: row.id });
        }
      }
    }
    if (!enter.length && !exit.length) return;
    const emitting = new Set(selected.filter((s) => s.built_at !== null).map((s) => s.id));
    // In dependency order, as levels evaluated one after another would emit them: a contact's inner entries before its outer ones.
    // One list per level, each in the order of the entries then the exits: a stable sort by level without a comparator.
    const levelOf = new Map(dependencyLevels(selected).flatMap((level, n) => level.map((s) => [s.id, n] as const)));
    const byLevel: NewEvent[][] = [];
    const emit = (type: 'segment.contact_entered' | 'segment.contact_exited', p: Pair) => {
      if (emitting.has(p.segment_id)) (byLevel[levelOf.get(p.segment_id) ?? 0] ??= []).push(this.event(type, tenantId, mode, p));
    };
    for (const p of enter) emit('segment.contact_entered', p);
    for (const p of exit) emit('segment.contact_exited', p);
    const events = byLevel.flat();
    // The events go out with the change, in its statement (each only if its change was really made).
    if (events.length) await recordIdempotencyKey(manager);
    await this.applyChanges(manager, scope, enter, exit, new Set(), cause, [], events.length ? outboxRowsJson(this.outbox.prepare(events)) : undefined);
  }

  /**
   * A segment's predicate for a re-evaluation of `inline`'s segments: a
   * reference to one of them is that segment's own predicate (inlined,
   * recursively) rather than a read of its membership. After the
   * re-evaluation a re-evaluated segment's membership of these contacts is
   * exactly its predicate, so the answer is the one levels evaluated inner
   * first would give — in one statement instead of one per level. A
   * reference back into the path being inlined (a cycle, refused when
   * saved) reads the membership.
   */
  private inlinedPredicate(segment: SegmentDefinition, inline: ReadonlyMap<string, SegmentDefinition>, now: Date, path: ReadonlySet<string> = new Set()): Predicate {
    const tree = this.treeOf(segment);
    const within = new Set([...path, segment.id]);
    return (p: SqlParams) =>
      withConsent(
        compileRules(tree, p, {
          now,
          segmentPredicate: (id, q) => {
            const inner = inline.get(id);
            return inner && !within.has(id) ? this.inlinedPredicate(inner, inline, now, within)(q) : undefined;
          },
        }),
        segment.include_unsubscribed,
      );
  }

  /** A deleted contact leaves every segment. */
  async removeContact(manager: EntityManager, tenantId: string, mode: Mode, contactId: string, cause: Cause = { type: 'contact.deleted' }): Promise<void> {
    const scope: TenantScope = { tenantId, mode };
    const removed = await this.members.removeContact(manager, scope, contactId);
    await this.members.recordHistory(
      manager,
      scope,
      removed.map((p) => ({ segment_id: p.segment_id, contact_id: p.contact_id, change: 'exited' as const, ...historyCause(cause, p.contact_id) })),
      this.clock.now(),
    );
    await this.outbox.append(
      manager,
      removed.filter((r) => r.built).map((r) => this.event('segment.contact_exited', tenantId, mode, r)),
    );
  }

  /**
   * Brings one chunk of a segment's membership up to date: the next `limit`
   * contacts after `after` (by id). Returns the last id, or null at the end.
   */
  async reconcileChunk(manager: EntityManager, segment: SegmentDefinition, after: string, limit: number, emit: boolean, cause: Cause): Promise<string | null> {
    const ids = await this.readModel.lockNextLive(manager, scopeOf(segment), after, limit);
    if (!ids.length) return null;
    await this.reconcileLocked(manager, segment, ids, emit, cause);
    return ids.length < limit ? null : ids[ids.length - 1]!;
  }

  /**
   * Re-evaluates one segment for given contacts (any state: deleted or unknown
   * ids simply are not members), locking them FOR SHARE first.
   */
  async reconcileContacts(manager: EntityManager, segment: SegmentDefinition, contactIds: string[], emit: boolean, cause: Cause): Promise<void> {
    const locked = await this.readModel.lock(manager, scopeOf(segment), contactIds, 'share', 'any');
    await this.reconcileLocked(manager, segment, locked, emit, cause);
  }

  /**
   * Contacts whose membership of the segment differs from its rules at `now`:
   * one set-based pass (no locks) the time sweeper then reconciles under lock.
   * Only among the contacts `window` names, unless it is `all`.
   */
  async candidates(manager: EntityManager, segment: SegmentDefinition, limit: number, now: Date, window: SweepWindow = { kind: 'all' }): Promise<string[]> {
    if (window.kind === 'none') return [];
    const sources = window.kind === 'some' ? window.sources : undefined;
    return this.members.candidates(manager, scopeOf(segment), segment.id, this.predicateOf(segment, now), limit, sources);
  }

  /**
   * What a sweep at `now` must look at (sweep-window.ts): everything when the
   * membership's exactness is unknown (`exactAt` null: the first sweep after
   * a build; or a clock set back before it), else what can have changed since.
   */
  async sweepWindow(manager: EntityManager, segment: SegmentDefinition, exactAt: Date | null, now: Date): Promise<SweepWindow> {
    if (exactAt === null || now.getTime() < exactAt.getTime()) return { kind: 'all' };
    // A few seconds of overlap: replicas' clocks differ a little; a contact compared twice costs nothing.
    const from = new Date(exactAt.getTime() - SWEEP_OVERLAP_MS);
    const tree = this.treeOf(segment);
    const changed = await this.members.dayChanged(manager, from, now, anniversaryZones(tree));
    return sweepWindow(tree, { from, to: now, dayChanged: (tz) => changed.has(tz) });
  }

  private async reconcileLocked(manager: EntityManager, segment: SegmentDefinition, ids: string[], emit: boolean, cause: Cause): Promise<void> {
    if (!ids.length) return;
    const scope = scopeOf(segment);
    const matching = new Set(await this.members.matchingAmong(manager, scope, ids, this.predicateOf(segment)));
    const members = new Set((await this.members.pairs(manager, scope, [segment.id], ids)).map((r) => r.contact_id));
    const enter = [...matching].filter((id) => !members.has(id)).map((contact_id) => ({ segment_id: segment.id, contact_id }));
    const exit = [...members].filter((id) => !matching.has(id)).map((contact_id) => ({ segment_id: segment.id, contact_id }));
    const events: NewEvent[] = [];
    const changed = await this.applyChanges(manager, scope, enter, exit, emit ? new Set([segment.id]) : new Set(), cause, events);
    await this.outbox.append(manager, events);
    if (!changed.length) return;
    // Segments built on this one follow at once, in dependency order (their contacts locked for update).
    if (!(await this.segments.usingSegment(manager, scope, segment.id, 1)).length) return;
    const locked = await this.readModel.lock(manager, scope, changed, 'update', 'any');
    await this.reevaluate(manager, scope.tenantId, scope.mode, locked, (s) => s.segment_refs.includes(segment.id), cause);
  }

  /**
   * Writes entries and exits with their history (one statement), and adds the
   * events of `emitting` segments' changes to `events` (the caller appends
   * them to the outbox); `outboxRows` (`outboxRowsJson`) go to the outbox in
   * the same statement, each if its change was made. Returns the contacts
   * that changed.
   */
  private async applyChanges(
    manager: EntityManager,
    scope: TenantScope,
    enter: Pair[],
    exit: Pair[],
    emitting: ReadonlySet<string>,
    cause: Cause | ReadonlyMap<string, Cause>,
    events: NewEvent[],
    outboxRows?: string,
  ): Promise<string[]> {
    const contacts = [...new Set([...enter, ...exit].map((p) => p.contact_id))];
    // RETURNING tells which rows this transaction really added and removed: events and history are exact.
    const { added, removed } = await this.members.change(
      manager,
      scope,
      enter,
      exit,
      this.clock.now(),
      contacts.map((id) => ({ contact_id: id, ...historyCause(cause, id) })),
      outboxRows,
    );
    for (const pair of added) if (emitting.has(pair.segment_id)) events.push(this.event('segment.contact_entered', scope.tenantId, scope.mode, pair));
    for (const pair of removed) if (emitting.has(pair.segment_id)) events.push(this.event('segment.contact_exited', scope.tenantId, scope.mode, pair));
    return [...new Set([...added, ...removed].map((p) => p.contact_id))];
  }

  private event(type: 'segment.contact_entered' | 'segment.contact_exited', tenantId: string, mode: Mode, pair: Pair): NewEvent {
    // Keyed by contact: a contact's entries and exits stay in order on one partition.
    return { type, tenant_id: tenantId, mode, key: pair.contact_id, data: { segment_id: pair.segment_id, contact_id: pair.contact_id } };
  }
}

function isCause(cause: Cause | ReadonlyMap<string, Cause>): cause is Cause {
  return !(cause instanceof Map);
}

/** The history's cause of a contact's changes: the one cause, or the contact's own (`contact` when it has none). */
function historyCause(cause: Cause | ReadonlyMap<string, Cause>, contactId: string): Omit<HistoryCause, 'contact_id'> {
  const c = isCause(cause) ? cause : (cause.get(contactId) ?? { type: 'contact' });
  return { cause: c.type, cause_event_id: c.event_id ?? null };
}

/** The selected segments plus every segment that references one of them, transitively. */
export function withDependents<S extends Pick<SegmentDefinition, 'id' | 'segment_refs'>>(all: S[], selected: ReadonlySet<string>): S[] {
  const ids = new Set(selected);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of all) {
      if (!ids.has(s.id) && s.segment_refs.some((r) => ids.has(r))) {
        ids.add(s.id);
        grew = true;
      }
    }
  }
  return all.filter((s) => ids.has(s.id));
}

/**
 * Segments in evaluation order: level 0 references no segment of the set,
 * level n only segments of lower levels. A reference outside the set is
 * already settled. Stored rules have no cycles (refused when saved); if one
 * slipped in, its members are evaluated last rather than never.
 */
export function dependencyLevels<S extends Pick<SegmentDefinition, 'id' | 'segment_refs'>>(segments: S[]): S[][] {
  const pending = new Map(segments.map((s) => [s.id, s]));
  const levels: S[][] = [];
  while (pending.size) {
    const ready = [...pending.values()].filter((s) => !s.segment_refs.some((r) => pending.has(r) && r !== s.id));
    const level = ready.length ? ready : [...pending.values()];
    for (const s of level) pending.delete(s.id);
    levels.push(level);
  }
  return levels;
}
