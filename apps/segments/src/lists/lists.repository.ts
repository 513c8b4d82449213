/**
 * SQL of the static-list aggregate: the `lists` table and its members
 * (`list_members`). Every write to either table goes through here — the
 * lists service's use cases and the read model's merge and erase alike.
 * Members are read joined with the read model's contacts.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows, type TenantScope } from '@sigil/platform';
import { CONTACT_COLUMNS, type ContactRow } from '../read-model/contact-rows';

/** A `lists` row; `member_count` is 0 unless the read asked to count. */
export interface ListRow {
  id: string;
  name: string;
  description: string | null;
  member_count: string;
  created_at: Date;
  updated_at: Date;
}

/** A member as the API shows it: the read model's contact and when it was added. */
export type ListMemberRow = ContactRow & { added_at: Date };

const LIST_COLUMNS = 'l.id, l.name, l.description, l.created_at, l.updated_at';
const MEMBER_COUNT = `(SELECT count(*) FROM list_members m WHERE m.tenant_id = l.tenant_id AND m.mode = l.mode AND m.list_id = l.id) AS member_count`;

@Injectable()
export class ListsRepository {
  async insert(m: EntityManager, s: TenantScope, list: { id: string; name: string; description: string | null }): Promise<ListRow> {
    const [row]: ListRow[] = await m.query(
      `INSERT INTO lists (tenant_id, mode, id, name, description) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, name, description, 0 AS member_count, created_at, updated_at`,
      [s.tenantId, s.mode, list.id, list.name, list.description],
    );
    return row!;
  }

  /** `how`: `count` counts the members, `lock` locks the row FOR UPDATE, `plain` does neither. */
  async find(m: EntityManager, s: TenantScope, id: string, how: 'count' | 'lock' | 'plain' = 'plain'): Promise<ListRow | undefined> {
    const rows: ListRow[] = await m.query(
      `SELECT ${LIST_COLUMNS}, ${how === 'count' ? MEMBER_COUNT : '0 AS member_count'}
         FROM lists l WHERE l.tenant_id = $1 AND l.mode = $2 AND l.id = $3 ${how === 'lock' ? 'FOR UPDATE' : ''}`,
      [s.tenantId, s.mode, id],
    );
    return rows[0];
  }

  /** A keyset page by id (with member counts): `limit` rows after `after`, skipping `offset`. */
  async page(m: EntityManager, s: TenantScope, after: string, limit: number, offset: number): Promise<ListRow[]> {
    return m.query(
      `SELECT ${LIST_COLUMNS}, ${MEMBER_COUNT}
         FROM lists l WHERE l.tenant_id = $1 AND l.mode = $2 AND l.id > $3 ORDER BY l.id LIMIT $4 OFFSET $5`,
      [s.tenantId, s.mode, after, limit, offset],
    );
  }

  /** Which of these ids are lists of the scope (a segment's rules may only name those). */
  async existingIds(m: EntityManager, s: TenantScope, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM lists WHERE tenant_id = $1 AND mode = $2 AND id = ANY($3::text[])`, [s.tenantId, s.mode, ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** Changes the name and, when `description` is given (null clears it), the description. Undefined: no such list. */
  async update(m: EntityManager, s: TenantScope, id: string, changes: { name?: string; description?: string | null }): Promise<ListRow | undefined> {
    const [row] = returnedRows<ListRow>(
      await m.query(
        `UPDATE lists SET name = coalesce($4, name), description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
          WHERE tenant_id = $1 AND mode = $2 AND id = $3 RETURNING id, name, description, 0 AS member_count, created_at, updated_at`,
        [s.tenantId, s.mode, id, changes.name ?? null, changes.description !== undefined, changes.description ?? null],
      ),
    );
    return row;
  }

  /** Deletes the list and its memberships. */
  async delete(m: EntityManager, s: TenantScope, id: string): Promise<void> {
    await m.query(`DELETE FROM list_members WHERE tenant_id = $1 AND mode = $2 AND list_id = $3`, [s.tenantId, s.mode, id]);
    await m.query(`DELETE FROM lists WHERE tenant_id = $1 AND mode = $2 AND id = $3`, [s.tenantId, s.mode, id]);
  }

  /** Adds these contacts to the list; returns the ids that were not members yet. */
  async addMembers(m: EntityManager, s: TenantScope, listId: string, contactIds: string[]): Promise<string[]> {
    if (!contactIds.length) return [];
    const rows: Array<{ contact_id: string }> = await m.query(
      `INSERT INTO list_members (tenant_id, mode, list_id, contact_id) SELECT $1, $2, $3, unnest($4::text[])
       ON CONFLICT DO NOTHING RETURNING contact_id`,
      [s.tenantId, s.mode, listId, contactIds],
    );
    return rows.map((r) => r.contact_id);
  }

  /** Removes these contacts from the list; returns the ids that were members. */
  async removeMembers(m: EntityManager, s: TenantScope, listId: string, contactIds: string[]): Promise<string[]> {
    if (!contactIds.length) return [];
    const rows = returnedRows<{ contact_id: string }>(
      await m.query(`DELETE FROM list_members WHERE tenant_id = $1 AND mode = $2 AND list_id = $3 AND contact_id = ANY($4::text[]) RETURNING contact_id`, [
        s.tenantId,
        s.mode,
        listId,
        contactIds,
      ]),
    );
    return rows.map((r) => r.contact_id);
  }

  /**
   * A merge: the merged contacts' memberships move to the primary (keeping the
   * earliest `added_at`). Returns the lists the primary was not in before.
   */
  async absorbMembers(m: EntityManager, s: TenantScope, primaryId: string, mergedIds: string[]): Promise<string[]> {
    const rows = returnedRows<{ list_id: string }>(
      await m.query(
        `INSERT INTO list_members (tenant_id, mode, list_id, contact_id, added_at)
         SELECT tenant_id, mode, list_id, $3, min(added_at) FROM list_members
          WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($4::text[])
          GROUP BY tenant_id, mode, list_id
         ON CONFLICT DO NOTHING
         RETURNING list_id`,
        [s.tenantId, s.mode, primaryId, mergedIds],
      ),
    );
    return rows.map((r) => r.list_id);
  }

  /** A deleted contact leaves every list; returns the lists it was in. */
  async removeContact(m: EntityManager, s: TenantScope, contactId: string): Promise<string[]> {
    const rows = returnedRows<{ list_id: string }>(
      await m.query(`DELETE FROM list_members WHERE tenant_id = $1 AND mode = $2 AND contact_id = $3 RETURNING list_id`, [s.tenantId, s.mode, contactId]),
    );
    return rows.map((r) => r.list_id);
  }

  /**
   * Members by contact id after `after`. `offset` skips rows (page-number
   * paging); `subscribedOnly` leaves out unsubscribed and suppressed contacts
   * (an export's default).
   */
  async members(
    m: EntityManager,
    s: TenantScope,
    listId: string,
    window: { after: string; limit: number; offset?: number; subscribedOnly?: boolean },
  ): Promise<ListMemberRow[]> {
    return m.query(
      `SELECT ${CONTACT_COLUMNS}, m.added_at FROM list_members m
         JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.list_id = $3 AND m.contact_id > $4 AND c.id > $4
          AND (NOT $7 OR (c.subscription_status = 'subscribed' AND NOT c.suppressed))
        ORDER BY m.contact_id LIMIT $5 OFFSET $6`,
      [s.tenantId, s.mode, listId, window.after, window.limit, window.offset ?? 0, window.subscribedOnly ?? false],
    );
  }

  /** Member contact ids after `after`, ascending. */
  async memberIds(m: EntityManager, s: TenantScope, listId: string, after: string, limit: number): Promise<string[]> {
    const rows: Array<{ contact_id: string }> = await m.query(
      `SELECT contact_id FROM list_members WHERE tenant_id = $1 AND mode = $2 AND list_id = $3 AND contact_id > $4 ORDER BY contact_id LIMIT $5`,
      [s.tenantId, s.mode, listId, after, limit],
    );
    return rows.map((r) => r.contact_id);
  }
}
