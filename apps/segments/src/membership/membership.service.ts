/**
 * Materialised segment membership. Contacts are re-evaluated against the
 * tenant's segments when something about them changes (incremental path),
 * and whole segments chunk by chunk when their rules change or time passes
 * (reconcile path). Every change of membership is written with its
 * `segment.contact_entered` / `segment.contact_exited` event in the same
 * transaction (outbox) and kept in the membership history with its cause.
 *
 * Segments that reference segments (`{"segment": id}`) are evaluated in
 * dependency order: inner segments first, so an outer one reads the inner's
 * membership as this transaction just left it; each segment once per pass.
 *
 * Concurrency: whoever re-evaluates a contact holds its read-model row lock —
 * FOR UPDATE on the incremental path, FOR SHARE per reconcile chunk (FOR
 * UPDATE for contacts whose change reaches outer segments) — so a contact is
 * never evaluated by two transactions that would each miss the other's change.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Mode } from '@sigil/contracts';
import { OutboxWriter, type NewEvent } from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { contactsByIds, lockOrder } from '../read-model/contacts-by-id';
import { compileRules, SqlParams, withConsent } from '../rules/rules.compiler';
import { checkRules, type CheckedNode } from '../rules/rules.validator';
import { returnedRows } from '@sigil/platform';

export interface SegmentDefinition {
  tenant_id: string;
  mode: Mode;
  id: string;
  rules: unknown;
  rules_version: number;
  list_refs: string[];
  segment_refs: string[];
  include_unsubscribed: boolean;
  /** Null until the first build finished; the first build emits no events. */
  built_at: Date | null;
}

/** Columns of `segments` that make a SegmentDefinition. */
export const DEFINITION_COLUMNS = 'tenant_id, mode, id, rules, rules_version, list_refs, segment_refs, include_unsubscribed, built_at';

/**
 * Why membership changed, kept in the history: a contact event (`contact.updated`
 * with its id), a list change (`list.member_added` with its event id), `time`
 * (the sweeper), `rules` (rebuild after an edit), `build` (first build).
 */
export interface Cause {
  type: string;
  event_id?: string | null;
}

interface Pair {
  segment_id: string;
  contact_id: string;
}

/** Segments evaluated per statement on the incremental path. */
const SEGMENTS_PER_STATEMENT = 50;

@Injectable()
export class MembershipService {
  private readonly compiled = new Map<string, CheckedNode>();

  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(CLOCK) private readonly clock: Clock,
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
  predicateOf(segment: Pick<SegmentDefinition, 'id' | 'rules' | 'rules_version' | 'include_unsubscribed'>, p: SqlParams, now = this.clock.now()): string {
    return withConsent(compileRules(this.treeOf(segment), p, { now }), segment.include_unsubscribed);
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
    const all: SegmentDefinition[] = await manager.query(`SELECT ${DEFINITION_COLUMNS} FROM segments WHERE tenant_id = $1 AND mode = $2`, [
      tenantId,
      mode,
    ]);
    const selected = only ? withDependents(all, new Set(all.filter(only).map((s) => s.id))) : all;
    if (!selected.length) return;
    const now = this.clock.now();
    for (const level of dependencyLevels(selected)) {
      const matching = new Set<string>();
      for (let i = 0; i < level.length; i += SEGMENTS_PER_STATEMENT) {
        const batch = level.slice(i, i + SEGMENTS_PER_STATEMENT);
        const p = new SqlParams([tenantId, mode, contactIds]);
        const columns = batch.map((s, j) => `${this.predicateOf(s, p, now)} AS m${j}`).join(', ');
        const rows: Array<Record<string, unknown>> = await manager.query(
          `SELECT c.id, ${columns} FROM ${contactsByIds('$3::text[]')} WHERE NOT c.deleted`,
          p.values,
        );
        for (const row of rows) batch.forEach((s, j) => row[`m${j}`] === true && matching.add(`${s.id} ${row['id'] as string}`));
      }
      const current: Pair[] = await manager.query(
        `SELECT segment_id, contact_id FROM segment_members
          WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($3::text[]) AND segment_id = ANY($4::text[])`,
        [tenantId, mode, contactIds, level.map((s) => s.id)],
      );
      const isMember = new Set(current.map((r) => `${r.segment_id} ${r.contact_id}`));
      const enter = [...matching].filter((k) => !isMember.has(k)).map(toPair);
      const exit = [...isMember].filter((k) => !matching.has(k)).map(toPair);
      const emitting = new Set(level.filter((s) => s.built_at !== null).map((s) => s.id));
      await this.applyChanges(manager, tenantId, mode, enter, exit, emitting, cause);
    }
  }

  /** A deleted contact leaves every segment. */
  async removeContact(manager: EntityManager, tenantId: string, mode: Mode, contactId: string, cause: Cause = { type: 'contact.deleted' }): Promise<void> {
    const removed = returnedRows<Pair & { built: boolean }>(
      await manager.query(
        `DELETE FROM segment_members m USING segments s
          WHERE m.tenant_id = $1 AND m.mode = $2 AND m.contact_id = $3
            AND s.tenant_id = m.tenant_id AND s.mode = m.mode AND s.id = m.segment_id
          RETURNING m.segment_id, m.contact_id, s.built_at IS NOT NULL AS built`,
        [tenantId, mode, contactId],
      ),
    );
    await this.recordHistory(manager, tenantId, mode, [], removed, cause);
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
    const chunk: Array<{ id: string }> = await manager.query(
      `SELECT id FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id > $3 AND NOT deleted ORDER BY id LIMIT $4 FOR SHARE`,
      [segment.tenant_id, segment.mode, after, limit],
    );
    if (!chunk.length) return null;
    const ids = chunk.map((r) => r.id);
    await this.reconcileLocked(manager, segment, ids, emit, cause);
    return chunk.length < limit ? null : ids[ids.length - 1]!;
  }

  /**
   * Re-evaluates one segment for given contacts (any state: deleted or unknown
   * ids simply are not members), locking them FOR SHARE first.
   */
  async reconcileContacts(manager: EntityManager, segment: SegmentDefinition, contactIds: string[], emit: boolean, cause: Cause): Promise<void> {
    const locked: Array<{ id: string }> = await manager.query(`SELECT c.id FROM ${contactsByIds('$3::text[]', { lock: 'SHARE' })}`, [
      segment.tenant_id,
      segment.mode,
      lockOrder(contactIds),
    ]);
    await this.reconcileLocked(manager, segment, locked.map((r) => r.id), emit, cause);
  }

  /**
   * Contacts whose membership of the segment differs from its rules now: one
   * set-based pass (no locks) the time sweeper then reconciles under lock.
   */
  async candidates(manager: EntityManager, segment: SegmentDefinition, limit: number): Promise<string[]> {
    const p = new SqlParams([segment.tenant_id, segment.mode, segment.id]);
    const predicate = this.predicateOf(segment, p);
    const rows: Array<{ id: string }> = await manager.query(
      `(SELECT c.id FROM contacts c
         WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND ${predicate}
           AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id = c.id))
       UNION ALL
       (SELECT c.id FROM segment_members m JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
         WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND (c.deleted OR NOT ${predicate}))
       LIMIT $${p.values.length + 1}::int`,
      [...p.values, limit],
    );
    return rows.map((r) => r.id).sort();
  }

  private async reconcileLocked(manager: EntityManager, segment: SegmentDefinition, ids: string[], emit: boolean, cause: Cause): Promise<void> {
    if (!ids.length) return;
    const { tenant_id: tenantId, mode } = segment;
    const p = new SqlParams([tenantId, mode, ids]);
    const matches: Array<{ id: string }> = await manager.query(
      `SELECT c.id FROM ${contactsByIds('$3::text[]')} WHERE NOT c.deleted AND ${this.predicateOf(segment, p)}`,
      p.values,
    );
    const current: Array<{ contact_id: string }> = await manager.query(
      `SELECT contact_id FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3 AND contact_id = ANY($4::text[])`,
      [tenantId, mode, segment.id, ids],
    );
    const matching = new Set(matches.map((r) => r.id));
    const members = new Set(current.map((r) => r.contact_id));
    const enter = [...matching].filter((id) => !members.has(id)).map((contact_id) => ({ segment_id: segment.id, contact_id }));
    const exit = [...members].filter((id) => !matching.has(id)).map((contact_id) => ({ segment_id: segment.id, contact_id }));
    const changed = await this.applyChanges(manager, tenantId, mode, enter, exit, emit ? new Set([segment.id]) : new Set(), cause);
    if (!changed.length) return;
    // Segments built on this one follow at once, in dependency order (their contacts locked for update).
    const dependents: Array<{ n: string }> = await manager.query(
      `SELECT count(*) AS n FROM segments WHERE tenant_id = $1 AND mode = $2 AND $3 = ANY(segment_refs)`,
      [tenantId, mode, segment.id],
    );
    if (Number(dependents[0]!.n) === 0) return;
    const locked: Array<{ id: string }> = await manager.query(`SELECT c.id FROM ${contactsByIds('$3::text[]', { lock: 'UPDATE' })}`, [
      tenantId,
      mode,
      lockOrder(changed),
    ]);
    await this.reevaluate(manager, tenantId, mode, locked.map((r) => r.id), (s) => s.segment_refs.includes(segment.id), cause);
  }

  /** Writes entries and exits, their history and (for `emitting` segments) their events; returns the contacts that changed. */
  private async applyChanges(
    manager: EntityManager,
    tenantId: string,
    mode: Mode,
    enter: Pair[],
    exit: Pair[],
    emitting: ReadonlySet<string>,
    cause: Cause | ReadonlyMap<string, Cause>,
  ): Promise<string[]> {
    const events: NewEvent[] = [];
    let added: Pair[] = [];
    let removed: Pair[] = [];
    if (enter.length) {
      // RETURNING tells which rows this transaction really added: events are exact.
      added = await manager.query(
        `INSERT INTO segment_members (tenant_id, mode, segment_id, contact_id, entered_at)
         SELECT $1, $2, u.s, u.c, $5::timestamptz FROM unnest($3::text[], $4::text[]) AS u(s, c)
         ON CONFLICT DO NOTHING RETURNING segment_id, contact_id`,
        [tenantId, mode, enter.map((e) => e.segment_id), enter.map((e) => e.contact_id), this.clock.now().toISOString()],
      );
      for (const pair of added) if (emitting.has(pair.segment_id)) events.push(this.event('segment.contact_entered', tenantId, mode, pair));
    }
    if (exit.length) {
      removed = returnedRows<Pair>(
        await manager.query(
          `DELETE FROM segment_members m USING unnest($3::text[], $4::text[]) AS u(s, c)
            WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = u.s AND m.contact_id = u.c
            RETURNING m.segment_id, m.contact_id`,
          [tenantId, mode, exit.map((e) => e.segment_id), exit.map((e) => e.contact_id)],
        ),
      );
      for (const pair of removed) if (emitting.has(pair.segment_id)) events.push(this.event('segment.contact_exited', tenantId, mode, pair));
    }
    await this.recordHistory(manager, tenantId, mode, added, removed, cause);
    await this.outbox.append(manager, events);
    return [...new Set([...added, ...removed].map((p) => p.contact_id))];
  }

  /** One history row per entry and exit, in one statement. */
  private async recordHistory(
    manager: EntityManager,
    tenantId: string,
    mode: Mode,
    added: Pair[],
    removed: Pair[],
    cause: Cause | ReadonlyMap<string, Cause>,
  ): Promise<void> {
    const rows = [...added.map((p) => ({ ...p, change: 'entered' })), ...removed.map((p) => ({ ...p, change: 'exited' }))];
    if (!rows.length) return;
    const causeOf = (contactId: string): Cause => (isCause(cause) ? cause : (cause.get(contactId) ?? { type: 'contact' }));
    await manager.query(
      `INSERT INTO segment_membership_history (tenant_id, mode, segment_id, contact_id, change, at, cause, cause_event_id)
       SELECT $1, $2, u.s, u.c, u.ch, $3::timestamptz, u.cause, u.event_id
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(s, c, ch, cause, event_id)`,
      [
        tenantId,
        mode,
        this.clock.now().toISOString(),
        rows.map((r) => r.segment_id),
        rows.map((r) => r.contact_id),
        rows.map((r) => r.change),
        rows.map((r) => causeOf(r.contact_id).type),
        rows.map((r) => causeOf(r.contact_id).event_id ?? null),
      ],
    );
  }

  private event(type: 'segment.contact_entered' | 'segment.contact_exited', tenantId: string, mode: Mode, pair: Pair): NewEvent {
    // Keyed by contact: a contact's entries and exits stay in order on one partition.
    return { type, tenant_id: tenantId, mode, key: pair.contact_id, data: { segment_id: pair.segment_id, contact_id: pair.contact_id } };
  }
}

function isCause(cause: Cause | ReadonlyMap<string, Cause>): cause is Cause {
  return !(cause instanceof Map);
}

function toPair(key: string): Pair {
  const [segment_id, contact_id] = key.split(' ') as [string, string];
  return { segment_id, contact_id };
}

/** The selected segments plus every segment that references one of them, transitively. */
export function withDependents<S extends Pick<SegmentDefinition, 'id' | 'segment_refs'>>(all: S[], selected: ReadonlySet<string>): S[] {
  const ids = new Set(selected);
  for (let grew = true; grew; ) {
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
