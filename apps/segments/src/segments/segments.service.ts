/**
 * Dynamic segments: CRUD with rule validation against the tenant's data,
 * preview without saving, members and counts. A new or edited segment is
 * `building` until the SegmentBuilder has evaluated every contact; meanwhile
 * its members and count are answered by evaluating the rules directly, so
 * answers are complete in either state. Also the membership history, a
 * contact's segments, and exports read in one snapshot.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  MAX_HISTORY_INTERVALS,
  type ContactSegmentView,
  type SegmentExportChunkReply,
  type SegmentExportChunkRequest,
  type SegmentHistoryPoint,
  type SegmentHistoryQuery,
  type SegmentMemberView,
  type RequestContext,
  type RuleNode,
  type SegmentContactView,
  type SegmentCountReply,
  type SegmentPreviewReply,
  type SegmentStatus,
  type SegmentView,
  type CreateSegmentRequest,
  type PreviewSegment,
  type UpdateSegmentRequest,
  type SegmentsPageQuery,
  type SegmentSnapshot,
} from '@sigil/contracts';
import { Conflict, isId, newId, NotFound, OutboxWriter, Paged, isIdOf, keysetPage, pageWindow, ValidationFailed, type NewEvent } from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { MembershipService } from '../membership/membership.service';
import { SegmentBuilder } from '../membership/segment-builder';
import { CONTACT_COLUMNS, contactView, type ContactRow } from '../read-model/contact-rows';
import { compileRules, SqlParams, withConsent } from '../rules/rules.compiler';
import { checkRules, ruleReferences, type CheckedRules, type FieldKind } from '../rules/rules.validator';
import { ExportSnapshots } from './export-snapshots';
import { checkSegmentGraph } from './segment-graph';

interface SegmentRow {
  tenant_id: string;
  mode: RequestContext['mode'];
  id: string;
  name: string;
  description: string | null;
  rules: RuleNode;
  rules_version: number;
  list_refs: string[];
  segment_refs: string[];
  include_unsubscribed: boolean;
  status: SegmentStatus;
  built_at: Date | null;
  created_at: Date;
  updated_at: Date;
  member_count?: string;
}

const SEGMENT_COLUMNS =
  's.tenant_id, s.mode, s.id, s.name, s.description, s.rules, s.rules_version, s.list_refs, s.segment_refs, s.include_unsubscribed, s.status, s.built_at, s.created_at, s.updated_at';

/** Rows per chunk of a segment export, and the byte cap of a chunk (like list exports). */
const EXPORT_CHUNK_BYTES = 512 * 1024;
const MEMBER_COUNT = `(SELECT count(*) FROM segment_members m WHERE m.tenant_id = s.tenant_id AND m.mode = s.mode AND m.segment_id = s.id) AS member_count`;

/** Keyset positions of this service's lists: ids, unique and time-sortable. */
const isContactId = isIdOf('con');
const isIdSegment = isIdOf('seg');

@Injectable()
export class SegmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly membership: MembershipService,
    private readonly builder: SegmentBuilder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly snapshots: ExportSnapshots,
  ) {}

  async create(ctx: RequestContext, req: CreateSegmentRequest): Promise<SegmentView> {
    const checked = await this.check(ctx, req.rules);
    const id = newId('seg');
    const rows: SegmentRow[] = await this.dataSource.transaction(async (manager) => {
      if (checked.segmentIds.length) await this.checkGraph(manager, ctx, id, checked.segmentIds);
      const inserted: SegmentRow[] = await manager.query(
        `INSERT INTO segments AS s (tenant_id, mode, id, name, description, rules, list_refs, segment_refs, include_unsubscribed, time_window, status)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::text[], $9, $10, 'building')
         RETURNING ${SEGMENT_COLUMNS}, 0 AS member_count`,
        [
          ctx.tenant_id,
          ctx.mode,
          id,
          req.name,
          req.description ?? null,
          JSON.stringify(req.rules),
          checked.listIds,
          checked.segmentIds,
          req.include_unsubscribed ?? false,
          checked.timeWindow,
        ],
      );
      await this.outbox.append(manager, [segmentEvent(ctx, 'segment.created', inserted[0]!)]);
      return inserted;
    });
    this.builder.wake();
    return segmentView(rows[0]!);
  }

  async list(ctx: RequestContext, query: SegmentsPageQuery): Promise<Paged<SegmentView>> {
    const page = pageWindow(query, query.limit, isIdSegment);
    const rows: SegmentRow[] = await this.dataSource.query(
      `SELECT ${SEGMENT_COLUMNS}, ${MEMBER_COUNT} FROM segments s
        WHERE s.tenant_id = $1 AND s.mode = $2 AND s.id > $3 ORDER BY s.id LIMIT $4 OFFSET $5`,
      [ctx.tenant_id, ctx.mode, page.after ?? '', page.limit + 1, page.offset],
    );
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(segmentView), meta);
  }

  async get(ctx: RequestContext, id: unknown): Promise<SegmentView> {
    return segmentView(await this.find(this.dataSource.manager, ctx, id, true));
  }

  /** New rules (or a new `include_unsubscribed`) start a rebuild; its entries and exits are emitted as events. */
  async update(ctx: RequestContext, id: unknown, req: UpdateSegmentRequest): Promise<SegmentView> {
    const checked = req.rules !== undefined ? await this.check(ctx, req.rules) : undefined;
    let rebuild = false;
    await this.dataSource.transaction(async (manager) => {
      const segment = await this.find(manager, ctx, id, false, true);
      if (checked) await this.checkGraph(manager, ctx, segment.id, checked.segmentIds);
      await manager.query(
        `UPDATE segments SET name = coalesce($4, name), description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
          WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
        [ctx.tenant_id, ctx.mode, segment.id, req.name ?? null, req.description !== undefined, req.description ?? null],
      );
      const consentChanged = req.include_unsubscribed !== undefined && req.include_unsubscribed !== segment.include_unsubscribed;
      rebuild = !!checked || consentChanged;
      if (rebuild) {
        await manager.query(
          `UPDATE segments SET rules = $4::jsonb, list_refs = $5::text[], segment_refs = $6::text[], time_window = $7,
                  include_unsubscribed = $8, status = 'building',
                  rules_version = rules_version + 1, build_cursor = NULL, build_lease_until = NULL
            WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
          [
            ctx.tenant_id,
            ctx.mode,
            segment.id,
            JSON.stringify(checked ? req.rules : segment.rules),
            checked ? checked.listIds : segment.list_refs,
            checked ? checked.segmentIds : segment.segment_refs,
            checked ? checked.timeWindow : this.membership.isTimeDependent(segment),
            req.include_unsubscribed ?? segment.include_unsubscribed,
          ],
        );
      }
      const after = await this.find(manager, ctx, segment.id);
      await this.outbox.append(manager, [{ ...segmentEvent(ctx, 'segment.updated', after), previous: { ...segmentSnapshot(segment) } }]);
    });
    if (rebuild) this.builder.wake();
    return this.get(ctx, id);
  }

  /** Deleting a segment drops its membership without per-contact exit events; refused (409) while other segments use it. */
  async delete(ctx: RequestContext, id: unknown): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const segment = await this.find(manager, ctx, id, false, true);
      const users: Array<{ id: string }> = await manager.query(
        `SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND $3 = ANY(segment_refs) ORDER BY id LIMIT 20`,
        [ctx.tenant_id, ctx.mode, segment.id],
      );
      if (users.length) {
        throw new Conflict(`Segment '${segment.id}' is used by other segments' rules; change those segments first.`, { segment_ids: users.map((u) => u.id) });
      }
      await manager.query(`DELETE FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3`, [ctx.tenant_id, ctx.mode, segment.id]);
      await manager.query(`DELETE FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = $3`, [ctx.tenant_id, ctx.mode, segment.id]);
      await this.outbox.append(manager, [
        { type: 'segment.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: segment.id, data: { id: segment.id }, previous: { ...segmentSnapshot(segment) } },
      ]);
    });
  }

  async preview(ctx: RequestContext, req: PreviewSegment): Promise<SegmentPreviewReply> {
    const checked = await this.check(ctx, req.rules);
    const p = new SqlParams([ctx.tenant_id, ctx.mode]);
    const predicate = withConsent(compileRules(checked.tree, p, { now: this.clock.now() }), req.include_unsubscribed ?? false);
    const [counted, contacts] = await Promise.all([
      this.dataSource.query(`SELECT count(*) AS n FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND ${predicate}`, p.values),
      req.limit === 0
        ? Promise.resolve([])
        : this.dataSource.query(
            `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND ${predicate}
              ORDER BY c.id LIMIT $${p.values.length + 1}::int`,
            [...p.values, req.limit],
          ),
    ]);
    return { count: Number((counted as Array<{ n: string }>)[0]!.n), contacts: (contacts as ContactRow[]).map(contactView) };
  }

  async contacts(ctx: RequestContext, id: unknown, query: SegmentsPageQuery): Promise<Paged<SegmentContactView>> {
    const segment = await this.find(this.dataSource.manager, ctx, id);
    const page = pageWindow(query, query.limit, isContactId);
    const rows = await this.memberRows(segment, page.after ?? '', page.limit + 1, page.offset, CONTACT_COLUMNS);
    const { items, meta } = keysetPage(rows as unknown as ContactRow[], page, (r) => r.id);
    return new Paged(items.map(contactView), meta);
  }

  async count(ctx: RequestContext, id: unknown): Promise<SegmentCountReply> {
    const segment = await this.find(this.dataSource.manager, ctx, id);
    let n: string;
    if (segment.status === 'ready') {
      const rows: Array<{ n: string }> = await this.dataSource.query(
        `SELECT count(*) AS n FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3`,
        [ctx.tenant_id, ctx.mode, segment.id],
      );
      n = rows[0]!.n;
    } else {
      const p = new SqlParams([ctx.tenant_id, ctx.mode]);
      const predicate = this.membership.predicateOf(segment, p);
      const rows: Array<{ n: string }> = await this.dataSource.query(
        `SELECT count(*) AS n FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND ${predicate}`,
        p.values,
      );
      n = rows[0]!.n;
    }
    return { segment_id: segment.id, count: Number(n), status: segment.status };
  }

  /** Contact ids of a segment, ascending (the contacts service's `segment_id` filter). */
  async memberIds(ctx: RequestContext, segmentId: string, after: string, limit: number): Promise<{ ids: string[]; has_more: boolean }> {
    const segment = await this.find(this.dataSource.manager, ctx, segmentId);
    const rows = await this.memberRows(segment, after, limit + 1, 0, 'c.id');
    return { ids: rows.slice(0, limit).map((r) => r.id), has_more: rows.length > limit };
  }

  /** Members by contact id: the materialised set when ready, the rules evaluated directly while building. */
  private async memberRows(segment: SegmentRow, after: string, limit: number, offset: number, columns: string): Promise<Array<{ id: string }>> {
    if (segment.status === 'ready') {
      return this.dataSource.query(
        `SELECT ${columns} FROM segment_members m
           JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
          WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id > $4
          ORDER BY m.contact_id LIMIT $5 OFFSET $6`,
        [segment.tenant_id, segment.mode, segment.id, after, limit, offset],
      );
    }
    const p = new SqlParams([segment.tenant_id, segment.mode, after, limit, offset]);
    const predicate = this.membership.predicateOf(segment, p);
    return this.dataSource.query(
      `SELECT ${columns} FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND c.id > $3::text AND ${predicate}
        ORDER BY c.id LIMIT $4::int OFFSET $5::int`,
      p.values,
    );
  }

  /**
   * Entries and exits per interval, with the member count at each interval's
   * end: the current count minus the net change after it (count and history
   * read in one snapshot). Intervals are UTC hours or days.
   */
  async history(ctx: RequestContext, id: unknown, query: SegmentHistoryQuery): Promise<SegmentHistoryPoint[]> {
    const step = query.interval === 'hour' ? 3_600_000 : 86_400_000;
    const to = query.to ? new Date(query.to) : this.clock.now();
    // Default: the last 30 intervals, the current (partial) one included.
    const from = query.from ? new Date(query.from) : new Date(Math.floor((to.getTime() - 1) / step) * step - 29 * step);
    const start = Math.floor(from.getTime() / step) * step;
    const intervals = Math.ceil((to.getTime() - start) / step);
    if (!(to.getTime() > from.getTime())) throw new ValidationFailed([{ field: 'from', code: 'invalid', message: '"from" must be before "to".' }]);
    if (intervals > MAX_HISTORY_INTERVALS) {
      throw new ValidationFailed([{ field: 'from', code: 'invalid', message: `At most ${MAX_HISTORY_INTERVALS} intervals per request; narrow from/to or use interval=day.` }]);
    }
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const segment = await this.find(manager, ctx, id);
      const [counted, rows] = [
        (await manager.query(`SELECT count(*) AS n FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3`, [
          ctx.tenant_id,
          ctx.mode,
          segment.id,
        ])) as Array<{ n: string }>,
        (await manager.query(
          `SELECT date_trunc($5, at, 'UTC') AS b, count(*) FILTER (WHERE change = 'entered') AS entered, count(*) FILTER (WHERE change = 'exited') AS exited
             FROM segment_membership_history
            WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3 AND at >= $4::timestamptz
            GROUP BY 1`,
          [ctx.tenant_id, ctx.mode, segment.id, new Date(start).toISOString(), query.interval],
        )) as Array<{ b: Date; entered: string; exited: string }>,
      ];
      const byBucket = new Map(rows.map((r) => [r.b.getTime(), { entered: Number(r.entered), exited: Number(r.exited) }]));
      // Net change after each interval, walking back from the latest recorded one.
      const end = start + intervals * step;
      let total = Number(counted[0]!.n);
      for (const r of rows) if (r.b.getTime() >= end) total -= Number(r.entered) - Number(r.exited);
      const points: SegmentHistoryPoint[] = [];
      for (let i = intervals - 1; i >= 0; i--) {
        const at = start + i * step;
        const bucket = byBucket.get(at) ?? { entered: 0, exited: 0 };
        points.push({ at: new Date(at).toISOString(), entered: bucket.entered, exited: bucket.exited, total });
        total -= bucket.entered - bucket.exited;
      }
      return points.reverse();
    });
  }

  /** The segments a contact is in now, with when it entered each; 404 for a contact this service does not know. */
  async contactSegments(ctx: RequestContext, contactId: unknown): Promise<ContactSegmentView[]> {
    if (!isId('con', contactId)) throw new NotFound('contact', String(contactId));
    const known: unknown[] = await this.dataSource.query(`SELECT 1 FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id = $3 AND NOT deleted`, [
      ctx.tenant_id,
      ctx.mode,
      contactId,
    ]);
    if (!known.length) throw new NotFound('contact', contactId);
    const rows: Array<{ segment_id: string; name: string; entered_at: Date }> = await this.dataSource.query(
      `SELECT m.segment_id, s.name, m.entered_at FROM segment_members m
         JOIN segments s ON s.tenant_id = m.tenant_id AND s.mode = m.mode AND s.id = m.segment_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.contact_id = $3 ORDER BY m.segment_id`,
      [ctx.tenant_id, ctx.mode, contactId],
    );
    return rows.map((r) => ({ segment_id: r.segment_id, name: r.name, since: r.entered_at.toISOString() }));
  }

  /**
   * One chunk of a segment export, keyset-paged by contact id and capped in
   * bytes, read in the snapshot the export's first chunk opened.
   */
  async exportChunk(ctx: RequestContext, req: SegmentExportChunkRequest): Promise<SegmentExportChunkReply> {
    const { result, snapshot } = await this.snapshots.read(
      req.snapshot,
      async (manager) => {
        const segment = await this.find(manager, ctx, req.segment_id);
        // A segment still building has no complete materialised set: its rules are evaluated in the snapshot.
        const rows: Array<ContactRow & { since: Date | null }> =
          segment.status === 'ready'
            ? await manager.query(
                `SELECT ${CONTACT_COLUMNS}, m.entered_at AS since FROM segment_members m
                   JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
                  WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id > $4
                  ORDER BY m.contact_id LIMIT $5`,
                [ctx.tenant_id, ctx.mode, segment.id, req.after ?? '', req.limit],
              )
            : await (async () => {
                const p = new SqlParams([ctx.tenant_id, ctx.mode, req.after ?? '', req.limit]);
                return manager.query(
                  `SELECT ${CONTACT_COLUMNS}, NULL::timestamptz AS since FROM contacts c
                    WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND c.id > $3::text AND ${this.membership.predicateOf(segment, p)}
                    ORDER BY c.id LIMIT $4::int`,
                  p.values,
                );
              })();
        const members: SegmentMemberView[] = [];
        let bytes = 0;
        for (const row of rows) {
          const view = { ...contactView(row), since: row.since ? row.since.toISOString() : null };
          bytes += Buffer.byteLength(JSON.stringify(view));
          if (bytes > EXPORT_CHUNK_BYTES && members.length) break;
          members.push(view);
        }
        const more = members.length < rows.length || rows.length === req.limit;
        return { members, next_after: more ? members[members.length - 1]!.id : null };
      },
      (chunk) => chunk.next_after === null,
    );
    return { ...result, snapshot };
  }

  /**
   * Cycle and depth check of the tenant's segment graph with `segmentId`'s new
   * references, serialised per tenant and mode (two edits cannot each close
   * half of a cycle).
   */
  private async checkGraph(manager: EntityManager, ctx: RequestContext, segmentId: string, refs: string[]): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('segments-graph:' || $1 || ':' || $2))`, [ctx.tenant_id, ctx.mode]);
    const rows: Array<{ id: string; segment_refs: string[] }> = await manager.query(
      `SELECT id, segment_refs FROM segments WHERE tenant_id = $1 AND mode = $2 AND cardinality(segment_refs) > 0`,
      [ctx.tenant_id, ctx.mode],
    );
    checkSegmentGraph(new Map(rows.map((r) => [r.id, r.segment_refs])), segmentId, refs);
  }

  /** Full validation: structure, then list ids, segment ids and custom field types from this tenant's data. */
  private async check(ctx: RequestContext, rules: unknown): Promise<CheckedRules> {
    const refs = ruleReferences(rules);
    const [lists, kinds, segments] = await Promise.all([
      refs.listIds.length
        ? (this.dataSource.query(`SELECT id FROM lists WHERE tenant_id = $1 AND mode = $2 AND id = ANY($3::text[])`, [
            ctx.tenant_id,
            ctx.mode,
            refs.listIds,
          ]) as Promise<Array<{ id: string }>>)
        : Promise.resolve([]),
      refs.fieldKeys.length
        ? (this.dataSource.query(`SELECT key, kind FROM custom_field_kinds WHERE tenant_id = $1 AND mode = $2 AND key = ANY($3::text[])`, [
            ctx.tenant_id,
            ctx.mode,
            refs.fieldKeys,
          ]) as Promise<Array<{ key: string; kind: FieldKind }>>)
        : Promise.resolve([]),
      refs.segmentIds.length
        ? (this.dataSource.query(`SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND id = ANY($3::text[])`, [
            ctx.tenant_id,
            ctx.mode,
            refs.segmentIds,
          ]) as Promise<Array<{ id: string }>>)
        : Promise.resolve([]),
    ]);
    const listIds = new Set(lists.map((l) => l.id));
    const segmentIds = new Set(segments.map((s) => s.id));
    // A field seen with values of several kinds ('mixed') is not type-checked.
    const fieldKinds = new Map(kinds.filter((k) => k.kind !== ('mixed' as string)).map((k) => [k.key, k.kind]));
    return checkRules(rules, { listExists: (id) => listIds.has(id), segmentExists: (id) => segmentIds.has(id), fieldKind: (key) => fieldKinds.get(key) });
  }

  private async find(manager: EntityManager, ctx: RequestContext, id: unknown, withCount = false, lock = false): Promise<SegmentRow> {
    if (!isId('seg', id)) throw new NotFound('segment', String(id));
    const rows: SegmentRow[] = await manager.query(
      `SELECT ${SEGMENT_COLUMNS}${withCount ? `, ${MEMBER_COUNT}` : ''} FROM segments s
        WHERE s.tenant_id = $1 AND s.mode = $2 AND s.id = $3 ${lock ? 'FOR UPDATE' : ''}`,
      [ctx.tenant_id, ctx.mode, id],
    );
    if (!rows[0]) throw new NotFound('segment', id);
    return rows[0];
  }
}

function segmentView(row: SegmentRow): SegmentView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    rules: row.rules,
    include_unsubscribed: row.include_unsubscribed,
    status: row.status,
    member_count: Number(row.member_count ?? 0),
    built_at: row.built_at ? row.built_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function segmentSnapshot(row: SegmentRow): SegmentSnapshot {
  return { id: row.id, name: row.name, rules: row.rules };
}

function segmentEvent(ctx: RequestContext, type: 'segment.created' | 'segment.updated', row: SegmentRow): NewEvent {
  return { type, tenant_id: ctx.tenant_id, mode: ctx.mode, key: row.id, data: { segment: segmentSnapshot(row) } };
}
