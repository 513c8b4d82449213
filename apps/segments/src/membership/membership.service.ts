/**
 * Materialised segment membership. Contacts are re-evaluated against the
 * tenant's segments when something about them changes (incremental path),
 * and whole segments chunk by chunk when their rules change or time passes
 * (reconcile path). Every change of membership is written with its
 * `segment.contact_entered` / `segment.contact_exited` event in the same
 * transaction (outbox).
 *
 * Concurrency: whoever re-evaluates a contact holds its read-model row lock —
 * FOR UPDATE on the incremental path, FOR SHARE per reconcile chunk — so a
 * contact is never evaluated by two transactions that would each miss the
 * other's change.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Mode } from '@sigil/contracts';
import { OutboxWriter, type NewEvent } from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { compileRules, SqlParams } from '../rules/rules.compiler';
import { checkRules, type CheckedNode } from '../rules/rules.validator';
import { returnedRows } from '@sigil/platform';

export interface SegmentDefinition {
  tenant_id: string;
  mode: Mode;
  id: string;
  rules: unknown;
  rules_version: number;
  list_refs: string[];
  /** Null until the first build finished; the first build emits no events. */
  built_at: Date | null;
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

  /**
   * Re-evaluates some contacts (row-locked by the caller) against the tenant's
   * segments, or only those `only` selects, and records entries and exits.
   */
  async reevaluate(
    manager: EntityManager,
    tenantId: string,
    mode: Mode,
    contactIds: string[],
    only?: (segment: SegmentDefinition) => boolean,
  ): Promise<void> {
    if (!contactIds.length) return;
    const all: SegmentDefinition[] = await manager.query(
      `SELECT tenant_id, mode, id, rules, rules_version, list_refs, built_at FROM segments WHERE tenant_id = $1 AND mode = $2`,
      [tenantId, mode],
    );
    const segments = only ? all.filter(only) : all;
    if (!segments.length) return;
    const now = this.clock.now();
    const matching = new Set<string>();
    for (let i = 0; i < segments.length; i += SEGMENTS_PER_STATEMENT) {
      const batch = segments.slice(i, i + SEGMENTS_PER_STATEMENT);
      const p = new SqlParams([tenantId, mode, contactIds]);
      const columns = batch.map((s, j) => `${compileRules(this.treeOf(s), p, { now })} AS m${j}`).join(', ');
      const rows: Array<Record<string, unknown>> = await manager.query(
        `SELECT c.id, ${columns} FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND c.id = ANY($3::text[]) AND NOT c.deleted`,
        p.values,
      );
      for (const row of rows) batch.forEach((s, j) => row[`m${j}`] === true && matching.add(`${s.id} ${row['id'] as string}`));
    }
    const current: Pair[] = await manager.query(
      `SELECT segment_id, contact_id FROM segment_members
        WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($3::text[]) AND segment_id = ANY($4::text[])`,
      [tenantId, mode, contactIds, segments.map((s) => s.id)],
    );
    const isMember = new Set(current.map((r) => `${r.segment_id} ${r.contact_id}`));
    const enter = [...matching].filter((k) => !isMember.has(k)).map(toPair);
    const exit = [...isMember].filter((k) => !matching.has(k)).map(toPair);
    const emitting = new Set(segments.filter((s) => s.built_at !== null).map((s) => s.id));
    await this.applyChanges(manager, tenantId, mode, enter, exit, emitting);
  }

  /** A deleted contact leaves every segment. */
  async removeContact(manager: EntityManager, tenantId: string, mode: Mode, contactId: string): Promise<void> {
    const removed = returnedRows<Pair & { built: boolean }>(
      await manager.query(
        `DELETE FROM segment_members m USING segments s
          WHERE m.tenant_id = $1 AND m.mode = $2 AND m.contact_id = $3
            AND s.tenant_id = m.tenant_id AND s.mode = m.mode AND s.id = m.segment_id
          RETURNING m.segment_id, m.contact_id, s.built_at IS NOT NULL AS built`,
        [tenantId, mode, contactId],
      ),
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
  async reconcileChunk(manager: EntityManager, segment: SegmentDefinition, after: string, limit: number, emit: boolean): Promise<string | null> {
    const { tenant_id: tenantId, mode } = segment;
    const chunk: Array<{ id: string }> = await manager.query(
      `SELECT id FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id > $3 AND NOT deleted ORDER BY id LIMIT $4 FOR SHARE`,
      [tenantId, mode, after, limit],
    );
    if (!chunk.length) return null;
    const ids = chunk.map((r) => r.id);
    const p = new SqlParams([tenantId, mode, ids]);
    const predicate = compileRules(this.treeOf(segment), p, { now: this.clock.now() });
    const matches: Array<{ id: string }> = await manager.query(
      `SELECT c.id FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND c.id = ANY($3::text[]) AND ${predicate}`,
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
    await this.applyChanges(manager, tenantId, mode, enter, exit, emit ? new Set([segment.id]) : new Set());
    return chunk.length < limit ? null : ids[ids.length - 1]!;
  }

  private async applyChanges(
    manager: EntityManager,
    tenantId: string,
    mode: Mode,
    enter: Pair[],
    exit: Pair[],
    emitting: ReadonlySet<string>,
  ): Promise<void> {
    const events: NewEvent[] = [];
    if (enter.length) {
      // RETURNING tells which rows this transaction really added: events are exact.
      const added: Pair[] = await manager.query(
        `INSERT INTO segment_members (tenant_id, mode, segment_id, contact_id)
         SELECT $1, $2, u.s, u.c FROM unnest($3::text[], $4::text[]) AS u(s, c)
         ON CONFLICT DO NOTHING RETURNING segment_id, contact_id`,
        [tenantId, mode, enter.map((e) => e.segment_id), enter.map((e) => e.contact_id)],
      );
      for (const pair of added) if (emitting.has(pair.segment_id)) events.push(this.event('segment.contact_entered', tenantId, mode, pair));
    }
    if (exit.length) {
      const removed = returnedRows<Pair>(
        await manager.query(
          `DELETE FROM segment_members m USING unnest($3::text[], $4::text[]) AS u(s, c)
            WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = u.s AND m.contact_id = u.c
            RETURNING m.segment_id, m.contact_id`,
          [tenantId, mode, exit.map((e) => e.segment_id), exit.map((e) => e.contact_id)],
        ),
      );
      for (const pair of removed) if (emitting.has(pair.segment_id)) events.push(this.event('segment.contact_exited', tenantId, mode, pair));
    }
    await this.outbox.append(manager, events);
  }

  private event(type: 'segment.contact_entered' | 'segment.contact_exited', tenantId: string, mode: Mode, pair: Pair): NewEvent {
    // Keyed by contact: a contact's entries and exits stay in order on one partition.
    return { type, tenant_id: tenantId, mode, key: pair.contact_id, data: { segment_id: pair.segment_id, contact_id: pair.contact_id } };
  }
}

function toPair(key: string): Pair {
  const [segment_id, contact_id] = key.split(' ') as [string, string];
  return { segment_id, contact_id };
}
