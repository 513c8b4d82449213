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
import { Conflict, isId, newId, NotFound, OutboxWriter, Paged, isIdOf, keysetPage, pageWindow, type NewEvent } from '@sigil/platform';
import { MembershipService } from '../membership/membership.service';
import { CONTACT_COLUMNS, contactView, type ContactRow } from '../read-model/contact-rows';
import { contactsByIds, lockOrder } from '../read-model/contacts-by-id';
import { returnedRows } from '@sigil/platform';

interface ListRow {
  id: string;
  name: string;
  description: string | null;
  member_count: string;
  created_at: Date;
  updated_at: Date;
}

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
  ) {}

  async create(ctx: RequestContext, req: CreateListRequest): Promise<ListView> {
    return this.dataSource.transaction(async (m) => {
      const rows: ListRow[] = await m.query(
        `INSERT INTO lists (tenant_id, mode, id, name, description) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, name, description, 0 AS member_count, created_at, updated_at`,
        [ctx.tenant_id, ctx.mode, newId('lst'), req.name, req.description ?? null],
      );
      await this.outbox.append(m, [listEvent(ctx, 'list.created', rows[0]!)]);
      return listView(rows[0]!);
    });
  }

  async list(ctx: RequestContext, query: SegmentsPageQuery): Promise<Paged<ListView>> {
    const page = pageWindow(query, query.limit, isIdList);
    const rows: ListRow[] = await this.dataSource.query(
      `SELECT l.id, l.name, l.description, l.created_at, l.updated_at,
              (SELECT count(*) FROM list_members m WHERE m.tenant_id = l.tenant_id AND m.mode = l.mode AND m.list_id = l.id) AS member_count
         FROM lists l WHERE l.tenant_id = $1 AND l.mode = $2 AND l.id > $3 ORDER BY l.id LIMIT $4 OFFSET $5`,
      [ctx.tenant_id, ctx.mode, page.after ?? '', page.limit + 1, page.offset],
    );
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(listView), meta);
  }

  async get(ctx: RequestContext, id: unknown): Promise<ListView> {
    return listView(await this.find(this.dataSource.manager, ctx, id, 'count'));
  }

  async update(ctx: RequestContext, id: unknown, req: UpdateListRequest): Promise<ListView> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.find(m, ctx, id, 'lock');
      const [rows]: [ListRow[], number] = await m.query(
        `UPDATE lists SET name = coalesce($4, name), description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
          WHERE tenant_id = $1 AND mode = $2 AND id = $3 RETURNING id, name, description`,
        [ctx.tenant_id, ctx.mode, before.id, req.name ?? null, req.description !== undefined, req.description ?? null],
      );
      await this.outbox.append(m, [{ ...listEvent(ctx, 'list.updated', rows[0]!), previous: { ...listSnapshot(before) } }]);
    });
    return this.get(ctx, id);
  }

  /** Refused (409) while a segment's rules use the list: deleting it would silently change them. */
  async delete(ctx: RequestContext, id: unknown): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const list = await this.find(manager, ctx, id, 'lock');
      const users: Array<{ id: string }> = await manager.query(
        `SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND $3 = ANY(list_refs) ORDER BY id LIMIT 20`,
        [ctx.tenant_id, ctx.mode, list.id],
      );
      if (users.length) {
        throw new Conflict(`List '${list.id}' is used by segment rules; change those segments first.`, { segment_ids: users.map((u) => u.id) });
      }
      await manager.query(`DELETE FROM list_members WHERE tenant_id = $1 AND mode = $2 AND list_id = $3`, [ctx.tenant_id, ctx.mode, list.id]);
      await manager.query(`DELETE FROM lists WHERE tenant_id = $1 AND mode = $2 AND id = $3`, [ctx.tenant_id, ctx.mode, list.id]);
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
    return this.dataSource.transaction(async (manager) => {
      const list = await this.find(manager, ctx, id, 'lock');
      // Known contacts of this tenant and mode, row-locked in id order (see MembershipService).
      const known: Array<{ id: string }> = await manager.query(
        `SELECT c.id FROM ${contactsByIds('$3::text[]', { lock: 'UPDATE', liveOnly: true })}`,
        [ctx.tenant_id, ctx.mode, lockOrder(requested.filter((c) => isId('con', c)))],
      );
      const knownIds = known.map((k) => k.id);
      const changedRows: Array<{ contact_id: string }> =
        action === 'add'
          ? await manager.query(
              `INSERT INTO list_members (tenant_id, mode, list_id, contact_id) SELECT $1, $2, $3, unnest($4::text[])
               ON CONFLICT DO NOTHING RETURNING contact_id`,
              [ctx.tenant_id, ctx.mode, list.id, knownIds],
            )
          : returnedRows(
              await manager.query(
                `DELETE FROM list_members WHERE tenant_id = $1 AND mode = $2 AND list_id = $3 AND contact_id = ANY($4::text[]) RETURNING contact_id`,
                [ctx.tenant_id, ctx.mode, list.id, knownIds],
              ),
            );
      const changed = new Set(changedRows.map((r) => r.contact_id));
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
    const list = await this.find(this.dataSource.manager, ctx, id);
    const page = pageWindow(query, query.limit, isContactId);
    const rows: Array<ContactRow & { added_at: Date }> = await this.dataSource.query(
      `SELECT ${CONTACT_COLUMNS}, m.added_at FROM list_members m
         JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.list_id = $3 AND m.contact_id > $4
        ORDER BY m.contact_id LIMIT $5 OFFSET $6`,
      [ctx.tenant_id, ctx.mode, list.id, page.after ?? '', page.limit + 1, page.offset],
    );
    const { items, meta } = keysetPage(rows, page, (r) => r.id);
    return new Paged(items.map(memberView), meta);
  }

  /** One chunk of an export, keyset-paged by contact id and capped in bytes. */
  async exportChunk(ctx: RequestContext, req: ListExportChunkRequest): Promise<ListExportChunkReply> {
    const list = await this.find(this.dataSource.manager, ctx, req.list_id);
    const rows: Array<ContactRow & { added_at: Date }> = await this.dataSource.query(
      `SELECT ${CONTACT_COLUMNS}, m.added_at FROM list_members m
         JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.list_id = $3 AND m.contact_id > $4
          AND ($6 OR (c.subscription_status = 'subscribed' AND NOT c.suppressed))
        ORDER BY m.contact_id LIMIT $5`,
      [ctx.tenant_id, ctx.mode, list.id, req.after ?? '', req.limit, req.include_unsubscribed ?? false],
    );
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
    const list = await this.find(this.dataSource.manager, ctx, listId);
    const rows: Array<{ contact_id: string }> = await this.dataSource.query(
      `SELECT contact_id FROM list_members WHERE tenant_id = $1 AND mode = $2 AND list_id = $3 AND contact_id > $4 ORDER BY contact_id LIMIT $5`,
      [ctx.tenant_id, ctx.mode, list.id, after, limit + 1],
    );
    return { ids: rows.slice(0, limit).map((r) => r.contact_id), has_more: rows.length > limit };
  }

  /** The list, or 404 (also for another tenant's or mode's id); only `count` counts its members. */
  private async find(manager: EntityManager, ctx: RequestContext, id: unknown, how: 'count' | 'lock' | 'plain' = 'plain'): Promise<ListRow> {
    if (!isId('lst', id)) throw new NotFound('list', String(id));
    const rows: ListRow[] = await manager.query(
      how !== 'count'
        ? `SELECT l.id, l.name, l.description, l.created_at, l.updated_at, 0 AS member_count
             FROM lists l WHERE l.tenant_id = $1 AND l.mode = $2 AND l.id = $3 ${how === 'lock' ? 'FOR UPDATE' : ''}`
        : `SELECT l.id, l.name, l.description, l.created_at, l.updated_at,
                  (SELECT count(*) FROM list_members m WHERE m.tenant_id = l.tenant_id AND m.mode = l.mode AND m.list_id = l.id) AS member_count
             FROM lists l WHERE l.tenant_id = $1 AND l.mode = $2 AND l.id = $3`,
      [ctx.tenant_id, ctx.mode, id],
    );
    if (!rows[0]) throw new NotFound('list', id);
    return rows[0];
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

function memberView(row: ContactRow & { added_at: Date }): ListMemberView {
  return { ...contactView(row), added_at: row.added_at.toISOString() };
}

function listSnapshot(row: Pick<ListRow, 'id' | 'name' | 'description'>): ListSnapshot {
  return { id: row.id, name: row.name, description: row.description };
}

function listEvent(ctx: RequestContext, type: 'list.created' | 'list.updated', row: Pick<ListRow, 'id' | 'name' | 'description'>): NewEvent {
  return { type, tenant_id: ctx.tenant_id, mode: ctx.mode, key: row.id, data: { list: listSnapshot(row) } };
}
