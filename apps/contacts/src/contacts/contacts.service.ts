/** Contact use cases. No transport here: handlers call these with a request context. */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ContactIdSchema,
  DEFAULT_PAGE_LIMIT,
  ListContactsQuerySchema,
  type ContactSnapshot,
  type ContactView,
  type PageMeta,
  type RequestContext,
  type CreateContact,
  type ListContactsQuery,
  type UpdateContact,
} from '@sigil/contracts';
import { BatchedLookup, isUniqueViolation, NotFound, OutboxWriter, Paged, scopeOf, type TenantScope } from '@sigil/platform';
import { actorOf, consentOf } from '../consent/consent-changes';
import { ConsentRepository } from '../consent/consent.repository';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';
import { customFieldsRefusal, valueRows } from '../custom-fields/custom-field-values';
import { applyUpdate } from './contact-changes';
import { conflictOf } from './contact-conflicts';
import { ContactCreates } from './contact-creates';
import { ContactTagChanges } from './contact-tag-changes';
import { cursorAfter, decodeCursor, resolveOrder, type Cursor, type Order } from './contact-list.query';
import { snapshotOf, type ContactRow } from './contact.entity';
import { ContactsRepository, scopedIdKey, type ContactListRow, type ScopedId } from './contacts.repository';
import { SegmentMembersClient } from './segment-members.client';

/** Member ids asked of the segments service per round trip when filtering by list or segment. */
const MEMBER_PAGE = 1000;

/** Ids that cannot be contact ids are simply not found (never a 400 that would reveal the id format matters). */
export function contactIdOrNotFound(id: unknown): string {
  if (!ContactIdSchema.safeParse(id).success) throw new NotFound('contact', String(id));
  return id as string;
}

@Injectable()
export class ContactsService {
  /** `get`s of one turn of the event loop, read in one statement (BatchedLookup). */
  private readonly reads = new BatchedLookup<ScopedId, ContactRow>((keys) => this.contacts.findByScopedIds(this.dataSource.manager, keys), scopedIdKey);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly definitions: CustomFieldDefinitions,
    private readonly members: SegmentMembersClient,
    private readonly suppressions: SuppressionsRepository,
    private readonly consent: ConsentRepository,
    private readonly creates: ContactCreates,
    private readonly tagChanges: ContactTagChanges,
  ) {}

  /** One contact; written together with the other creates of the same turn (ContactCreates). */
  async create(ctx: RequestContext, req: CreateContact): Promise<ContactView> {
    return this.creates.create(ctx, req);
  }

  async get(ctx: RequestContext, id: unknown): Promise<ContactView> {
    const row = await this.reads.load({ scope: scopeOf(ctx), id: contactIdOrNotFound(id) });
    if (!row) throw new NotFound('contact', id as string);
    return snapshotOf(row);
  }

  async update(ctx: RequestContext, id: unknown, req: UpdateContact): Promise<ContactView> {
    const contactId = contactIdOrNotFound(id);
    const scope = scopeOf(ctx);
    try {
      return await this.dataSource.transaction(async (m) => {
        const current = await this.lockedOrNotFound(m, scope, contactId);
        const defs = req.custom_fields ? await this.definitions.load(m, scope) : new Map();
        const { next, changed, details } = applyUpdate(current, req, defs, new Date());
        if (details.length) throw customFieldsRefusal(details).error;
        if (!next) return current;
        if (changed.includes('email')) {
          next.suppressed = (await this.suppressions.suppressedEmails(m, scope, [next.email])).has(next.email);
          if (next.suppressed !== current.suppressed) changed.push('suppressed');
        }
        await this.contacts.updateMany(m, scope, [next]);
        if (changed.some((c) => c.startsWith('custom_fields.'))) {
          await this.contacts.replaceValues(m, scope, [next.id], valueRows(next.id, next.custom_fields, defs));
        }
        const consent = consentOf(ctx, [{ before: current.subscription_status, after: next }], { source: 'api', ip: null, actor: actorOf(ctx) });
        await this.consent.append(m, scope, consent.rows);
        await this.outbox.append(m, [
          { type: 'contact.updated', tenant_id: ctx.tenant_id, mode: ctx.mode, key: next.id, data: { contact: next, changed } },
          ...consent.events,
        ]);
        return next;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw await conflictOf(this.contacts, this.dataSource.manager, scope, req, contactId);
      throw err;
    }
  }

  /** GDPR erasure: the row, its custom field values and its activities; the event names only the id. */
  async delete(ctx: RequestContext, id: unknown): Promise<void> {
    const contactId = contactIdOrNotFound(id);
    await this.dataSource.transaction(async (m) => {
      const version = await this.contacts.delete(m, scopeOf(ctx), contactId);
      if (version === undefined) throw new NotFound('contact', contactId);
      await this.outbox.append(m, [{ type: 'contact.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: contactId, data: { id: contactId, version: version + 1 } }]);
    });
  }

  /** Adds or removes tags; written together with the other tag changes of the same turn (ContactTagChanges). */
  async changeTags(ctx: RequestContext, id: unknown, tags: string[], op: 'add' | 'remove'): Promise<ContactView> {
    return this.tagChanges.change(ctx, { id: contactIdOrNotFound(id), tags, op });
  }

  async list(ctx: RequestContext, query: ListContactsQuery): Promise<Paged<ContactView>> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = query.page ? (query.page - 1) * limit : 0;
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const membership = query.list_id ? { list_id: query.list_id } : query.segment_id ? { segment_id: query.segment_id } : null;
    const order = resolveOrder(query, cursor, membership !== null);
    const scope = scopeOf(ctx);

    const rows: ContactListRow[] = membership
      ? await this.listMembers(ctx, membership, query, order, cursor, limit, offset)
      : await this.contacts.list(this.dataSource.manager, scope, { query, order, cursor, fetch: limit + 1, offset });

    const hasMore = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    // A sync walk always hands back where it stopped, so the next run resumes exactly there.
    const nextCursor = last ? cursorAfter(order, last) : order.key === 'sync' ? (query.cursor ?? null) : null;
    const page: PageMeta = { limit, has_more: hasMore, next_cursor: hasMore || order.key === 'sync' ? nextCursor : null };
    if (query.page) page.page = query.page;
    return new Paged(pageRows.map(snapshotOf), page);
  }

  /**
   * Members of a list or segment, in id order: walks member ids from the
   * segments service a thousand at a time and keeps those matching the other
   * filters, until the page (plus one row, for has_more) is full.
   */
  private async listMembers(
    ctx: RequestContext,
    membership: { list_id?: string; segment_id?: string },
    query: ReturnType<typeof ListContactsQuerySchema.parse>,
    order: Order,
    cursor: Cursor | null,
    limit: number,
    offset: number,
  ): Promise<ContactListRow[]> {
    const wanted = offset + limit + 1;
    const found: ContactListRow[] = [];
    let after = cursor?.i ?? null;
    for (;;) {
      const members = await this.members.page(ctx, membership, after, MEMBER_PAGE);
      if (members.ids.length) {
        const batch = await this.contacts.list(this.dataSource.manager, scopeOf(ctx), {
          query,
          order,
          cursor: null,
          fetch: wanted - found.length,
          offset: 0,
          ids: members.ids,
        });
        found.push(...batch);
      }
      if (found.length >= wanted || !members.has_more || !members.ids.length) break;
      after = members.ids[members.ids.length - 1]!;
    }
    return found.slice(offset);
  }

  private async lockedOrNotFound(m: EntityManager, scope: TenantScope, id: string): Promise<ContactSnapshot> {
    const row = await this.contacts.findById(m, scope, id, true);
    if (!row) throw new NotFound('contact', id);
    return snapshotOf(row);
  }
}
