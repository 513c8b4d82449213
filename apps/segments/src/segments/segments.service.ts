/**
 * Dynamic segments: CRUD with rule validation against the tenant's data,
 * preview without saving, members and counts. A new or edited segment is
 * `building` until the SegmentBuilder has evaluated every contact; meanwhile
 * its members and count are answered by evaluating the rules directly, so
 * answers are complete in either state.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
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
import { isId, newId, NotFound, OutboxWriter, Paged, isIdOf, keysetPage, pageWindow, type NewEvent } from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { MembershipService } from '../membership/membership.service';
import { SegmentBuilder } from '../membership/segment-builder';
import { CONTACT_COLUMNS, contactView, type ContactRow } from '../read-model/contact-rows';
import { compileRules, SqlParams } from '../rules/rules.compiler';
import { checkRules, ruleReferences, type CheckedRules, type FieldKind } from '../rules/rules.validator';

interface SegmentRow {
  tenant_id: string;
  mode: RequestContext['mode'];
  id: string;
  name: string;
  description: string | null;
  rules: RuleNode;
  rules_version: number;
  list_refs: string[];
  status: SegmentStatus;
  built_at: Date | null;
  created_at: Date;
  updated_at: Date;
  member_count?: string;
}

const SEGMENT_COLUMNS = 's.tenant_id, s.mode, s.id, s.name, s.description, s.rules, s.rules_version, s.list_refs, s.status, s.built_at, s.created_at, s.updated_at';
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
  ) {}

  async create(ctx: RequestContext, req: CreateSegmentRequest): Promise<SegmentView> {
    const checked = await this.check(ctx, req.rules);
    const rows = await this.dataSource.transaction(async (m) => {
      const inserted: SegmentRow[] = await m.query(
        `INSERT INTO segments AS s (tenant_id, mode, id, name, description, rules, list_refs, time_window, status)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8, 'building')
         RETURNING ${SEGMENT_COLUMNS}, 0 AS member_count`,
        [ctx.tenant_id, ctx.mode, newId('seg'), req.name, req.description ?? null, JSON.stringify(req.rules), checked.listIds, checked.timeWindow],
      );
      await this.outbox.append(m, [segmentEvent(ctx, 'segment.created', inserted[0]!)]);
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

  /** New rules start a rebuild; its entries and exits are emitted as events. */
  async update(ctx: RequestContext, id: unknown, req: UpdateSegmentRequest): Promise<SegmentView> {
    const checked = req.rules !== undefined ? await this.check(ctx, req.rules) : undefined;
    await this.dataSource.transaction(async (manager) => {
      const segment = await this.find(manager, ctx, id, false, true);
      await manager.query(
        `UPDATE segments SET name = coalesce($4, name), description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
          WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
        [ctx.tenant_id, ctx.mode, segment.id, req.name ?? null, req.description !== undefined, req.description ?? null],
      );
      if (checked) {
        await manager.query(
          `UPDATE segments SET rules = $4::jsonb, list_refs = $5::text[], time_window = $6, status = 'building',
                  rules_version = rules_version + 1, build_cursor = NULL, build_lease_until = NULL
            WHERE tenant_id = $1 AND mode = $2 AND id = $3`,
          [ctx.tenant_id, ctx.mode, segment.id, JSON.stringify(req.rules), checked.listIds, checked.timeWindow],
        );
      }
      const after = await this.find(manager, ctx, segment.id);
      await this.outbox.append(manager, [{ ...segmentEvent(ctx, 'segment.updated', after), previous: { ...segmentSnapshot(segment) } }]);
    });
    if (checked) this.builder.wake();
    return this.get(ctx, id);
  }

  /** Deleting a segment drops its membership without per-contact exit events. */
  async delete(ctx: RequestContext, id: unknown): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const segment = await this.find(manager, ctx, id, false, true);
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
    const predicate = compileRules(checked.tree, p, { now: this.clock.now() });
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
      const predicate = compileRules(this.membership.treeOf(segment), p, { now: this.clock.now() });
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
    const predicate = compileRules(this.membership.treeOf(segment), p, { now: this.clock.now() });
    return this.dataSource.query(
      `SELECT ${columns} FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND c.id > $3::text AND ${predicate}
        ORDER BY c.id LIMIT $4::int OFFSET $5::int`,
      p.values,
    );
  }

  /** Full validation: structure, then list ids and custom field types from this tenant's data. */
  private async check(ctx: RequestContext, rules: unknown): Promise<CheckedRules> {
    const refs = ruleReferences(rules);
    const [lists, kinds] = await Promise.all([
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
    ]);
    const listIds = new Set(lists.map((l) => l.id));
    // A field seen with values of several kinds ('mixed') is not type-checked.
    const fieldKinds = new Map(kinds.filter((k) => k.kind !== ('mixed' as string)).map((k) => [k.key, k.kind]));
    return checkRules(rules, { listExists: (id) => listIds.has(id), fieldKind: (key) => fieldKinds.get(key) });
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
