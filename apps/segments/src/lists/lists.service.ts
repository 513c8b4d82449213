/**
 * Static lists: CRUD, membership changes of up to 1 000 contacts per call
 * (each id gets its own outcome), paged members, and bounded export chunks.
 * Membership changes emit `list.member_added` / `list.member_removed` and
 * re-evaluate the segments whose rules use the list.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type ListExportChunkReply,
  type ListMemberResult,
  type ListMembersChangeReply,
  type ListMemberView,
  type ListView,
  type RequestContext,
  type CreateListRequest,
  type ListExportChunkRequest,
  type ListMembersChangeRequest,
  type UpdateListRequest,
  type SegmentsPageQuery,
  type ListSnapshot,
} from '@sigil/contracts';
import { Conflict, isId, newId, NotFound, OutboxWriter, Paged, isIdOf, keysetPage, pageWindow, scopeOf, type NewEvent, type TenantScope } from '@sigil/platform';
import { MembershipService } from '../membership/membership.service';
import { contactView } from '../read-model/contact-rows';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { SegmentsRepository } from '../segments/segments.repository';
import { ListsRepository, type ListMemberRow, type ListRow } from './lists.repository';

/** An export chunk stays well under Kafka's default 1 MiB message size. */
const EXPORT_CHUNK_BYTES = 512 * 1024;

/** Keyset positions of this service's lists: ids, unique and time-sortable. */
const isContactId = isIdOf('con');
const isIdList = isIdOf('lst');

@Injectable()
export class ListsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly membership: MembershipService,
    private readonly lists: ListsRepository,
    private readonly segments: SegmentsRepository,
    private readonly readModel: ReadModelRepository,
  ) {}

  async create(ctx: RequestContext, req: CreateListRequest): Promise<ListView> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.lists.insert(m, scopeOf(ctx), { id: newId('lst'), name: req.name, description: req.description ?? null });
      await this.outbox.append(m, [listEvent(ctx, 'list.created', row)]);
      return listView(row);
    });
  }

  async list(ctx: RequestContext, query: SegmentsPageQuery): Promise<Paged<ListView>> {
    const page = pageWindow(query, query.limit, isIdList);
    const rows = await this.lists.page(this.dataSource.manager, scopeOf(ctx), page.after ?? '', page.limit + 1, page.offset);
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(listView), meta);
  }

  async get(ctx: RequestContext, id: unknown): Promise<ListView> {
    return listView(await this.find(this.dataSource.manager, scopeOf(ctx), id, 'count'));
  }

  async update(ctx: RequestContext, id: unknown, req: UpdateListRequest): Promise<ListView> {
    const scope = scopeOf(ctx);
    await this.dataSource.transaction(async (m) => {
      const before = await this.find(m, scope, id, 'lock');
      const row = (await this.lists.update(m, scope, before.id, { name: req.name, description: req.description }))!;
      await this.outbox.append(m, [{ ...listEvent(ctx, 'list.updated', row), previous: { ...listSnapshot(before) } }]);
    });
    return this.get(ctx, id);
  }

  /** Refused (409) while a segment's rules use the list: deleting it would silently change them. */
  async delete(ctx: RequestContext, id: unknown): Promise<void> {
    const scope = scopeOf(ctx);
    await this.dataSource.transaction(async (manager) => {
      const list = await this.find(manager, scope, id, 'lock');
      const users = await this.segments.usingList(manager, scope, list.id);
      if (users.length) {
        throw new Conflict(`List '${list.id}' is used by segment rules; change those segments first.`, { segment_ids: users });
      }
      await this.lists.delete(manager, scope, list.id);
      await this.outbox.append(manager, [
        { type: 'list.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: list.id, data: { id: list.id }, previous: { ...listSnapshot(list) } },
      ]);
    });
  }

  async addMembers(ctx: RequestContext, id: unknown, req: ListMembersChangeRequest): Promise<ListMembersChangeReply> {
    return this.changeMembers(ctx, id, req, 'add');
  }

  async removeMembers(ctx: RequestContext, id: unknown, req: ListMembersChangeRequest): Promise<ListMembersChangeReply> {
    return this.changeMembers(ctx, id, req, 'remove');
  }

  private async changeMembers(ctx: RequestContext, id: unknown, req: ListMembersChangeRequest, action: 'add' | 'remove'): Promise<ListMembersChangeReply> {
    const requested = [...new Set(req.contact_ids)];
    const scope = scopeOf(ctx);
    return this.dataSource.transaction(async (manager) => {
      const list = await this.find(manager, scope, id, 'lock');
      // Known contacts of this tenant and mode, row-locked in id order (see MembershipService).
      const knownIds = await this.readModel.lock(
        manager,
        scope,
        requested.filter((c) => isId('con', c)),
        'update',
        'live',
      );
      const changed = new Set(
        action === 'add' ? await this.lists.addMembers(manager, scope, list.id, knownIds) : await this.lists.removeMembers(manager, scope, list.id, knownIds),
      );
      const isKnown = new Set(knownIds);
      const appended = await this.outbox.append(
        manager,
        [...changed].map((contactId) => ({
          type: action === 'add' ? ('list.member_added' as const) : ('list.member_removed' as const),
          tenant_id: ctx.tenant_id,
          mode: ctx.mode,
          key: contactId,
          data: { list_id: list.id, contact_id: contactId },
        })),
      );
      // Each contact's segment changes are caused by its list event.
      const causes = new Map(appended.map((e) => [(e.data as { contact_id: string }).contact_id, { type: e.type, event_id: e.id }]));
      await this.membership.reevaluate(manager, ctx.tenant_id, ctx.mode, [...changed], (s) => s.list_refs.includes(list.id), causes);
      const results: ListMemberResult[] = req.contact_ids.map((contactId) => ({
        contact_id: contactId,
        status: !isKnown.has(contactId)
          ? 'not_found'
          : action === 'add'
            ? changed.has(contactId)
              ? 'added'
              : 'already_member'
            : changed.has(contactId)
              ? 'removed'
              : 'not_member',
      }));
      // A repeated id reports the first outcome once and the rest as no-ops.
      const seen = new Set<string>();
      for (const r of results) {
        if (seen.has(r.contact_id) && (r.status === 'added' || r.status === 'removed')) r.status = action === 'add' ? 'already_member' : 'not_member';
        seen.add(r.contact_id);
      }
      return { list_id: list.id, results, changed: changed.size };
    });
  }

  async members(ctx: RequestContext, id: unknown, query: SegmentsPageQuery): Promise<Paged<ListMemberView>> {
    const scope = scopeOf(ctx);
    const list = await this.find(this.dataSource.manager, scope, id);
    const page = pageWindow(query, query.limit, isContactId);
    const rows = await this.lists.members(this.dataSource.manager, scope, list.id, { after: page.after ?? '', limit: page.limit + 1, offset: page.offset });
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(memberView), meta);
  }

  /** One chunk of an export, keyset-paged by contact id and capped in bytes. */
  async exportChunk(ctx: RequestContext, req: ListExportChunkRequest): Promise<ListExportChunkReply> {
    const scope = scopeOf(ctx);
    const list = await this.find(this.dataSource.manager, scope, req.list_id);
    const rows = await this.lists.members(this.dataSource.manager, scope, list.id, {
      after: req.after ?? '',
      limit: req.limit,
      subscribedOnly: !(req.include_unsubscribed ?? false),
    });
    const members: ListMemberView[] = [];
    let bytes = 0;
    for (const row of rows) {
      const view = memberView(row);
      bytes += Buffer.byteLength(JSON.stringify(view));
      if (bytes > EXPORT_CHUNK_BYTES && members.length) break;
      members.push(view);
    }
    const more = members.length < rows.length || rows.length === req.limit;
    return { members, next_after: more ? members[members.length - 1]!.id : null };
  }

  /** Contact ids of a list, ascending (the contacts service's `list_id` filter). */
  async memberIds(ctx: RequestContext, listId: string, after: string, limit: number): Promise<{ ids: string[]; has_more: boolean }> {
    const scope = scopeOf(ctx);
    const list = await this.find(this.dataSource.manager, scope, listId);
    const ids = await this.lists.memberIds(this.dataSource.manager, scope, list.id, after, limit + 1);
    return { ids: ids.slice(0, limit), has_more: ids.length > limit };
  }

  /** The list, or 404 (also for another tenant's or mode's id); only `count` counts its members. */
  private async find(manager: EntityManager, scope: TenantScope, id: unknown, how: 'count' | 'lock' | 'plain' = 'plain'): Promise<ListRow> {
    if (!isId('lst', id)) throw new NotFound('list', String(id));
    const row = await this.lists.find(manager, scope, id, how);
    if (!row) throw new NotFound('list', id);
    return row;
  }
}

function listView(row: ListRow): ListView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    member_count: Number(row.member_count),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function memberView(row: ListMemberRow): ListMemberView {
  return { ...contactView(row), added_at: row.added_at.toISOString() };
}

function listSnapshot(row: Pick<ListRow, 'id' | 'name' | 'description'>): ListSnapshot {
  return { id: row.id, name: row.name, description: row.description };
}

function listEvent(ctx: RequestContext, type: 'list.created' | 'list.updated', row: Pick<ListRow, 'id' | 'name' | 'description'>): NewEvent {
  return { type, tenant_id: ctx.tenant_id, mode: ctx.mode, key: row.id, data: { list: listSnapshot(row) } };
}
