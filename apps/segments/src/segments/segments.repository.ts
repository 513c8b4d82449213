/**
 * SQL of the dynamic-segment aggregate's definitions: the `segments` table
 * (rules, references, build state and leases). Every write to it goes
 * through here; membership lives in membership.repository.ts.
 *
 * The builder's claims (`claimBuild`, `claimSweep`) take work of any tenant:
 * the row they return carries its tenant and mode, and every later statement
 * about it is scoped by them.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Mode, RuleNode, SegmentStatus } from '@sigil/contracts';
import { returnedRows, type TenantScope } from '@sigil/platform';
import { queryPrepared } from '../prepared-query';

/** What membership needs of a segment. */
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

/** A `segments` row as the API shows it; `member_count` only when the read counted. */
export interface SegmentRow extends SegmentDefinition {
  name: string;
  description: string | null;
  rules: RuleNode;
  status: SegmentStatus;
  created_at: Date;
  updated_at: Date;
  member_count?: string;
}

/** A segment claimed for a build (resumed from its cursor) or a sweep. */
export type ClaimedSegment = SegmentDefinition & { build_cursor: string | null };

/** A segment claimed for a time sweep: its membership is exact as of `window_exact_at` (null: unknown). */
export type SweptSegment = SegmentDefinition & { window_exact_at: Date | null };

/** The rules of a segment as saved, with the references and time dependence derived from them. */
export interface SegmentRules {
  rules: unknown;
  list_refs: string[];
  segment_refs: string[];
  time_window: boolean;
  include_unsubscribed: boolean;
}

const DEFINITION_COLUMNS = ['tenant_id', 'mode', 'id', 'rules', 'rules_version', 'list_refs', 'segment_refs', 'include_unsubscribed', 'built_at'];
const DEFINITION = DEFINITION_COLUMNS.join(', ');
const CLAIMED = DEFINITION_COLUMNS.map((c) => `s.${c}`).join(', ');
const SEGMENT_COLUMNS = `${CLAIMED}, s.name, s.description, s.status, s.created_at, s.updated_at`;
const MEMBER_COUNT = `(SELECT count(*) FROM segment_members m WHERE m.tenant_id = s.tenant_id AND m.mode = s.mode AND m.segment_id = s.id) AS member_count`;

@Injectable()
export class SegmentsRepository {
  /** A new segment, `building` until its first build finishes. */
  async insert(m: EntityManager, s: TenantScope, segment: { id: string; name: string; description: string | null } & SegmentRules): Promise<SegmentRow> {
    const [row]: SegmentRow[] = await m.query(
      `INSERT INTO segments AS s (tenant_id, mode, id, name, description, rules, list_refs, segment_refs, include_unsubscribed, time_window, status)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::text[], $9, $10, 'building')
       RETURNING ${SEGMENT_COLUMNS}, 0 AS member_count`,
      [
        s.tenantId,
        s.mode,
        segment.id,
        segment.name,
        segment.description,
        JSON.stringify(segment.rules),
        segment.list_refs,
        segment.segment_refs,
        segment.include_unsubscribed,
        segment.time_window,
      ],
    );
    return row!;
  }

  async find(m: EntityManager, s: TenantScope, id: string, how: { count?: boolean; lock?: boolean } = {}): Promise<SegmentRow | undefined> {
    const rows: SegmentRow[] = await m.query(
      `SELECT ${SEGMENT_COLUMNS}${how.count ? `, ${MEMBER_COUNT}` : ''} FROM segments s
        WHERE s.tenant_id = $1 AND s.mode = $2 AND s.id = $3 ${how.lock ? 'FOR UPDATE' : ''}`,
      [s.tenantId, s.mode, id],
    );
    return rows[0];
  }

  /** A keyset page by id (with member counts): `limit` rows after `after`, skipping `offset`. */
  async page(m: EntityManager, s: TenantScope, after: string, limit: number, offset: number): Promise<SegmentRow[]> {
    return m.query(
      `SELECT ${SEGMENT_COLUMNS}, ${MEMBER_COUNT} FROM segments s
        WHERE s.tenant_id = $1 AND s.mode = $2 AND s.id > $3 ORDER BY s.id LIMIT $4 OFFSET $5`,
      [s.tenantId, s.mode, after, limit, offset],
    );
  }

  /** Every segment of the scope, as membership evaluates them. */
  async definitions(m: EntityManager, s: TenantScope): Promise<SegmentDefinition[]> {
    return queryPrepared<SegmentDefinition>(m, `SELECT ${DEFINITION} FROM segments WHERE tenant_id = $1 AND mode = $2`, [s.tenantId, s.mode]);
  }

  /** Which of these ids are segments of the scope (rules may only reference those). */
  async existingIds(m: EntityManager, s: TenantScope, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = ANY($3::text[])`, [s.tenantId, s.mode, ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** Segments whose rules name the list (at most 20, by id): a list they use cannot be deleted. */
  async usingList(m: EntityManager, s: TenantScope, listId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND $3 = ANY(list_refs) ORDER BY id LIMIT 20`, [
      s.tenantId,
      s.mode,
      listId,
    ]);
    return rows.map((r) => r.id);
  }

  /** Segments whose rules name this segment (at most `limit`, by id). */
  async usingSegment(m: EntityManager, s: TenantScope, segmentId: string, limit = 20): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND $3 = ANY(segment_refs) ORDER BY id LIMIT $4`, [
      s.tenantId,
      s.mode,
      segmentId,
      limit,
    ]);
    return rows.map((r) => r.id);
  }

  /**
   * The scope's segment graph (who references whom), read under a
   * transaction-scoped lock of the scope's graph: two edits cannot each close
   * half of a cycle.
   */
  async lockedGraph(m: EntityManager, s: TenantScope): Promise<Map<string, string[]>> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('segments-graph:' || $1 || ':' || $2))`, [s.tenantId, s.mode]);
    const rows: Array<{ id: string; segment_refs: string[] }> = await m.query(
      `SELECT id, segment_refs FROM segments WHERE tenant_id = $1 AND mode = $2 AND cardinality(segment_refs) > 0`,
      [s.tenantId, s.mode],
    );
    return new Map(rows.map((r) => [r.id, r.segment_refs]));
  }

  /** Changes the name and, when `description` is given (null clears it), the description. */
  async rename(m: EntityManager, s: TenantScope, id: string, changes: { name?: string; description?: string | null }): Promise<void> {
    await m.query(
      `UPDATE segments SET name = coalesce($4, name), description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
        WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
      [s.tenantId, s.mode, id, changes.name ?? null, changes.description !== undefined, changes.description ?? null],
    );
  }

  /** New rules: a new rules version, `building` again from the first contact. */
  async redefine(m: EntityManager, s: TenantScope, id: string, rules: SegmentRules): Promise<void> {
    await m.query(
      `UPDATE segments SET rules = $4::jsonb, list_refs = $5::text[], segment_refs = $6::text[], time_window = $7,
              include_unsubscribed = $8, status = 'building',
              rules_version = rules_version + 1, build_cursor = NULL, build_lease_until = NULL
        WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
      [s.tenantId, s.mode, id, JSON.stringify(rules.rules), rules.list_refs, rules.segment_refs, rules.time_window, rules.include_unsubscribed],
    );
  }

  async delete(m: EntityManager, s: TenantScope, id: string): Promise<void> {
    await m.query(`DELETE FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = $3`, [s.tenantId, s.mode, id]);
  }

  /** The segment's current rules version, its row locked (`update` or `share`); undefined once deleted. */
  async lockRulesVersion(m: EntityManager, s: TenantScope, id: string, strength: 'update' | 'share'): Promise<number | undefined> {
    const rows: Array<{ rules_version: number }> = await m.query(
      `SELECT rules_version FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = $3 ${strength === 'update' ? 'FOR UPDATE' : 'FOR SHARE'}`,
      [s.tenantId, s.mode, id],
    );
    return rows[0]?.rules_version;
  }

  /** Claims the oldest segment waiting to be built (any tenant) for `leaseSeconds`; replicas skip each other's claims. */
  async claimBuild(m: EntityManager, leaseSeconds: number): Promise<ClaimedSegment | undefined> {
    const rows = returnedRows<ClaimedSegment>(
      await m.query(
        `UPDATE segments s SET build_lease_until = now() + make_interval(secs => $1::int)
          WHERE (s.tenant_id, s.mode, s.id) IN (
            SELECT tenant_id, mode, id FROM segments
             WHERE status = 'building' AND (build_lease_until IS NULL OR build_lease_until < now())
             ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING ${CLAIMED}, s.build_cursor`,
        [leaseSeconds],
      ),
    );
    return rows[0];
  }

  /** Claims a ready, time-dependent segment (any tenant) not swept within `intervalSeconds` of `now`. */
  async claimSweep(m: EntityManager, now: Date, intervalSeconds: number): Promise<SweptSegment | undefined> {
    const rows = returnedRows<SweptSegment>(
      await m.query(
        `UPDATE segments s SET window_swept_at = $1::timestamptz
          WHERE (s.tenant_id, s.mode, s.id) IN (
            SELECT tenant_id, mode, id FROM segments
             WHERE status = 'ready' AND time_window
               AND (window_swept_at IS NULL OR window_swept_at <= $1::timestamptz - make_interval(secs => $2::double precision))
             ORDER BY window_swept_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING ${CLAIMED}, s.window_exact_at`,
        [now.toISOString(), intervalSeconds],
      ),
    );
    return rows[0];
  }

  /** A build's progress: the last contact id done, and the lease extended. */
  async saveBuildCursor(m: EntityManager, s: TenantScope, id: string, cursor: string, leaseSeconds: number): Promise<void> {
    await m.query(
      `UPDATE segments SET build_cursor = $4, build_lease_until = now() + make_interval(secs => $5::int)
        WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
      [s.tenantId, s.mode, id, cursor, leaseSeconds],
    );
  }

  /** Marks a build of this rules version finished; false when the rules changed (or the segment went) meanwhile. */
  async markBuilt(m: EntityManager, s: TenantScope, id: string, rulesVersion: number): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE segments SET status = 'ready', built_at = now(), build_cursor = NULL, build_lease_until = NULL, window_exact_at = NULL
          WHERE tenant_id = $1 AND mode = $2 AND id = $3 AND rules_version = $4 AND status = 'building' RETURNING id`,
        [s.tenantId, s.mode, id, rulesVersion],
      ),
    );
    return rows.length > 0;
  }

  /** A complete sweep made this rules version's membership exact as of `at` (the next sweep starts there). */
  async markSweptExact(m: EntityManager, s: TenantScope, id: string, rulesVersion: number, at: Date): Promise<void> {
    await m.query(`UPDATE segments SET window_exact_at = $5::timestamptz WHERE tenant_id = $1 AND mode = $2 AND id = $3 AND rules_version = $4 AND status = 'ready'`, [
      s.tenantId,
      s.mode,
      id,
      rulesVersion,
      at.toISOString(),
    ]);
  }
}
