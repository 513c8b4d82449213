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
  SEGMENT_EXPORT_CHUNK_BYTES,
  type ContactSegmentView,
  type SegmentExportChunkReply,
  type SegmentExportChunkRequest,
  type SegmentHistoryPoint,
  type SegmentHistoryQuery,
  type RequestContext,
  type SegmentContactView,
  type SegmentCountReply,
  type SegmentPreviewReply,
  type SegmentView,
  type CreateSegmentRequest,
  type PreviewSegment,
  type UpdateSegmentRequest,
  type SegmentsPageQuery,
  type SegmentSnapshot,
} from '@sigil/contracts';
import {
  Conflict,
  isId,
  newId,
  NotFound,
  OutboxWriter,
  Paged,
  isIdOf,
  keysetPage,
  pageWindow,
  scopeOf,
  rawReply,
  ValidationFailed,
  type NewEvent,
  type TenantScope,
} from '@sigil/platform';
import { CLOCK, type Clock } from '../clock';
import { ListsRepository } from '../lists/lists.repository';
import { MembershipRepository, type MemberRow, type Predicate } from '../membership/membership.repository';
import { MembershipService } from '../membership/membership.service';
import { SegmentBuilder } from '../membership/segment-builder';
import { contactView } from '../read-model/contact-rows';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { compileRules, withConsent } from '../rules/rules.compiler';
import { checkRules, ruleReferences, type CheckedRules, type FieldKind } from '../rules/rules.validator';
import { ExportSnapshots } from './export-snapshots';
import { checkSegmentGraph } from './segment-graph';
import { SegmentsRepository, type SegmentRow } from './segments.repository';

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
    private readonly segments: SegmentsRepository,
    private readonly members: MembershipRepository,
    private readonly lists: ListsRepository,
    private readonly readModel: ReadModelRepository,
  ) {}

  async create(ctx: RequestContext, req: CreateSegmentRequest): Promise<SegmentView> {
    const checked = await this.check(ctx, req.rules);
    const id = newId('seg');
    const scope = scopeOf(ctx);
    const row = await this.dataSource.transaction(async (manager) => {
      if (checked.segmentIds.length) await this.checkGraph(manager, scope, id, checked.segmentIds);
      const inserted = await this.segments.insert(manager, scope, {
        id,
        name: req.name,
        description: req.description ?? null,
        rules: req.rules,
        list_refs: checked.listIds,
        segment_refs: checked.segmentIds,
        include_unsubscribed: req.include_unsubscribed ?? false,
        time_window: checked.timeWindow,
      });
      await this.outbox.append(manager, [segmentEvent(ctx, 'segment.created', inserted)]);
      return inserted;
    });
    this.builder.wake();
    return segmentView(row);
  }

  async list(ctx: RequestContext, query: SegmentsPageQuery): Promise<Paged<SegmentView>> {
    const page = pageWindow(query, query.limit, isIdSegment);
    const rows = await this.segments.page(this.dataSource.manager, scopeOf(ctx), page.after ?? '', page.limit + 1, page.offset);
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(segmentView), meta);
  }

  async get(ctx: RequestContext, id: unknown): Promise<SegmentView> {
    return segmentView(await this.find(this.dataSource.manager, scopeOf(ctx), id, { count: true }));
  }

  /** New rules (or a new `include_unsubscribed`) start a rebuild; its entries and exits are emitted as events. */
  async update(ctx: RequestContext, id: unknown, req: UpdateSegmentRequest): Promise<SegmentView> {
    const checked = req.rules !== undefined ? await this.check(ctx, req.rules) : undefined;
    const scope = scopeOf(ctx);
    let rebuild = false;
    await this.dataSource.transaction(async (manager) => {
      const segment = await this.find(manager, scope, id, { lock: true });
      if (checked) await this.checkGraph(manager, scope, segment.id, checked.segmentIds);
      await this.segments.rename(manager, scope, segment.id, { name: req.name, description: req.description });
      const consentChanged = req.include_unsubscribed !== undefined && req.include_unsubscribed !== segment.include_unsubscribed;
      rebuild = !!checked || consentChanged;
      if (rebuild) {
        await this.segments.redefine(manager, scope, segment.id, {
          rules: checked ? req.rules : segment.rules,
          list_refs: checked ? checked.listIds : segment.list_refs,
          segment_refs: checked ? checked.segmentIds : segment.segment_refs,
          time_window: checked ? checked.timeWindow : this.membership.isTimeDependent(segment),
          include_unsubscribed: req.include_unsubscribed ?? segment.include_unsubscribed,
        });
      }
      const after = await this.find(manager, scope, segment.id);
      await this.outbox.append(manager, [{ ...segmentEvent(ctx, 'segment.updated', after), previous: { ...segmentSnapshot(segment) } }]);
    });
    if (rebuild) this.builder.wake();
    return this.get(ctx, id);
  }

  /** Deleting a segment drops its membership without per-contact exit events; refused (409) while other segments use it. */
  async delete(ctx: RequestContext, id: unknown): Promise<void> {
    const scope = scopeOf(ctx);
    await this.dataSource.transaction(async (manager) => {
      const segment = await this.find(manager, scope, id, { lock: true });
      const users = await this.segments.usingSegment(manager, scope, segment.id);
      if (users.length) {
        throw new Conflict(`Segment '${segment.id}' is used by other segments' rules; change those segments first.`, { segment_ids: users });
      }
      await this.members.removeSegment(manager, scope, segment.id);
      await this.segments.delete(manager, scope, segment.id);
      await this.outbox.append(manager, [
        { type: 'segment.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: segment.id, data: { id: segment.id }, previous: { ...segmentSnapshot(segment) } },
      ]);
    });
  }

  async preview(ctx: RequestContext, req: PreviewSegment): Promise<SegmentPreviewReply> {
    const checked = await this.check(ctx, req.rules);
    const scope = scopeOf(ctx);
    const now = this.clock.now();
    const predicate: Predicate = (p) => withConsent(compileRules(checked.tree, p, { now }), req.include_unsubscribed ?? false);
    const [count, contacts] = await Promise.all([
      this.members.countMatching(this.dataSource.manager, scope, predicate),
      req.limit === 0 ? Promise.resolve([]) : this.members.matchingPage(this.dataSource.manager, scope, predicate, { after: '', limit: req.limit }),
    ]);
    return { count, contacts: contacts.map(contactView) };
  }

  async contacts(ctx: RequestContext, id: unknown, query: SegmentsPageQuery): Promise<Paged<SegmentContactView>> {
    const segment = await this.find(this.dataSource.manager, scopeOf(ctx), id);
    const page = pageWindow(query, query.limit, isContactId);
    const rows = await this.memberRows(this.dataSource.manager, segment, { after: page.after ?? '', limit: page.limit + 1, offset: page.offset });
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(contactView), meta);
  }

  async count(ctx: RequestContext, id: unknown): Promise<SegmentCountReply> {
    const scope = scopeOf(ctx);
    const segment = await this.find(this.dataSource.manager, scope, id);
    const count =
      segment.status === 'ready'
        ? await this.members.count(this.dataSource.manager, scope, segment.id)
        : await this.members.countMatching(this.dataSource.manager, scope, this.membership.predicateOf(segment));
    return { segment_id: segment.id, count, status: segment.status };
  }

  /** Contact ids of a segment, ascending (the contacts service's `segment_id` filter). */
  async memberIds(ctx: RequestContext, segmentId: string, after: string, limit: number): Promise<{ ids: string[]; has_more: boolean }> {
    const scope = scopeOf(ctx);
    const segment = await this.find(this.dataSource.manager, scope, segmentId);
    const ids =
      segment.status === 'ready'
        ? await this.members.memberIds(this.dataSource.manager, scope, segment.id, after, limit + 1)
        : await this.members.matchingIds(this.dataSource.manager, scope, this.membership.predicateOf(segment), after, limit + 1);
    return { ids: ids.slice(0, limit), has_more: ids.length > limit };
  }

  /** Members by contact id: the materialised set when ready, the rules evaluated directly while building. */
  private memberRows(manager: EntityManager, segment: SegmentRow, window: { after: string; limit: number; offset?: number }): Promise<MemberRow[]> {
    const scope = scopeOf(segment);
    return segment.status === 'ready'
      ? this.members.members(manager, scope, segment.id, window)
      : this.members.matchingPage(manager, scope, this.membership.predicateOf(segment), window);
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
      throw new ValidationFailed([
        { field: 'from', code: 'invalid', message: `At most ${MAX_HISTORY_INTERVALS} intervals per request; narrow from/to or use interval=day.` },
      ]);
    }
    const scope = scopeOf(ctx);
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const segment = await this.find(manager, scope, id);
      const counted = await this.members.count(manager, scope, segment.id);
      const rows = await this.members.historyBuckets(manager, scope, segment.id, new Date(start), query.interval);
      const byBucket = new Map(rows.map((r) => [r.at.getTime(), { entered: r.entered, exited: r.exited }]));
      // Net change after each interval, walking back from the latest recorded one.
      const end = start + intervals * step;
      let total = counted;
      for (const r of rows) if (r.at.getTime() >= end) total -= r.entered - r.exited;
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
    const scope = scopeOf(ctx);
    if (!(await this.readModel.isLive(this.dataSource.manager, scope, contactId))) throw new NotFound('contact', contactId);
    const rows = await this.members.segmentsOf(this.dataSource.manager, scope, contactId);
    return rows.map((r) => ({ segment_id: r.segment_id, name: r.name, since: r.entered_at.toISOString() }));
  }

  /**
   * One chunk of a segment export as rendered lines, keyset-paged by contact
   * id and capped in bytes, read in the snapshot the export's first chunk opened.
   */
  async exportChunk(ctx: RequestContext, req: SegmentExportChunkRequest): Promise<SegmentExportChunkReply> {
    const scope = scopeOf(ctx);
    const chunkAfter =
      (after: string | null, limit = req.limit) =>
      async (manager: EntityManager) => {
        const segment = await this.find(manager, scope, req.segment_id);
        const window = { after: after ?? '', limit, maxBytes: SEGMENT_EXPORT_CHUNK_BYTES };
        // A segment still building has no complete materialised set: its rules are evaluated in the snapshot.
        const source = segment.status === 'ready' ? { segmentId: segment.id } : { predicate: this.membership.predicateOf(segment) };
        return { ...(await this.members.exportText(manager, scope, source, req.format, window)), limit };
      };
    // The request a chunk read ahead answers: the same export's next one, nothing else (export-snapshots.ts).
    const keyAfter = (after: string | null) => JSON.stringify([scope.tenantId, scope.mode, req.segment_id, req.format, req.limit, after ?? '']);
    const { result, snapshot } = await this.snapshots.read(req.snapshot, chunkAfter(req.after ?? null), (chunk) => chunk.next_after === null, {
      key: keyAfter(req.after ?? null),
      next: (chunk) => ({ key: keyAfter(chunk.next_after), read: chunkAfter(chunk.next_after, readAheadLimit(chunk, req.limit)) }),
    });
    // Only a row that alone exceeds the cap comes bigger: no Kafka message can carry it, and it fails here at once
    // rather than as a reply the broker refuses and a gateway waiting for it until its timeout.
    if (result.bytes > SEGMENT_EXPORT_CHUNK_BYTES) {
      throw new Error(`segment export ${req.segment_id}: the row after '${req.after ?? ''}' is ${result.bytes} bytes, more than a reply can carry`);
    }
    // The lines go as the reply's bytes (a raw reply: no JSON string around them, nothing to escape or parse).
    return rawReply('lines', Buffer.from(result.text, 'utf8'), { rows: result.rows, next_after: result.next_after, snapshot });
  }

  /**
   * Cycle and depth check of the tenant's segment graph with `segmentId`'s new
   * references, serialised per tenant and mode (two edits cannot each close
   * half of a cycle).
   */
  private async checkGraph(manager: EntityManager, scope: TenantScope, segmentId: string, refs: string[]): Promise<void> {
    checkSegmentGraph(await this.segments.lockedGraph(manager, scope), segmentId, refs);
  }

  /** Full validation: structure, then list ids, segment ids and custom field types from this tenant's data. */
  private async check(ctx: RequestContext, rules: unknown): Promise<CheckedRules> {
    const refs = ruleReferences(rules);
    const scope = scopeOf(ctx);
    const m = this.dataSource.manager;
    const [listIds, kinds, segmentIds] = await Promise.all([
      this.lists.existingIds(m, scope, refs.listIds),
      this.readModel.fieldKinds(m, scope, refs.fieldKeys),
      this.segments.existingIds(m, scope, refs.segmentIds),
    ]);
    // A field seen with values of several kinds ('mixed') is not type-checked.
    const fieldKinds = new Map([...kinds].filter(([, kind]) => kind !== 'mixed') as Array<[string, FieldKind]>);
    return checkRules(rules, { listExists: (id) => listIds.has(id), segmentExists: (id) => segmentIds.has(id), fieldKind: (key) => fieldKinds.get(key) });
  }

  private async find(manager: EntityManager, scope: TenantScope, id: unknown, how: { count?: boolean; lock?: boolean } = {}): Promise<SegmentRow> {
    if (!isId('seg', id)) throw new NotFound('segment', String(id));
    const row = await this.segments.find(manager, scope, id, how);
    if (!row) throw new NotFound('segment', id);
    return row;
  }
}

/**
 * Rows to read ahead after a chunk (the database renders every row it reads;
 * rows that do not fit the byte cap are rendered again with the next chunk):
 * after a chunk the cap cut, a tenth more than fitted in it; after one whose
 * rows all fitted, twice as many; never more than the gateway asked. With
 * rows of 1 KB as JSON a chunk holds ~4 000, and the 10 000 asked were all
 * rendered for each. Only the rows per chunk change, never what an export
 * contains (a chunk still ends where its cap or its rows end).
 */
export function readAheadLimit(chunk: { rows: number; limit: number }, asked: number): number {
  const next = chunk.rows < chunk.limit ? Math.ceil(chunk.rows * 1.1) + 1 : chunk.limit * 2;
  return Math.max(1, Math.min(asked, next));
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
