/**
 * SQL of the contacts table and its custom field value rows. Writes are
 * set-based (one statement per kind of change, rows passed as one JSON
 * parameter) so a 1 000-row batch costs a handful of round trips. Every
 * write stamps `sync_xid` with the writing transaction's id.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ContactSnapshot, Mode } from '@sigil/contracts';
import { OUTBOX_NOTIFY_SQL, outboxInsertSql, queryNamed, type NamedStatement, type TenantScope } from '@sigil/platform';
import { consentInsertSql, type ConsentRow } from '../consent/consent.repository';
import type { ValueRow } from '../custom-fields/custom-field-values';
import { CONTACT_COLUMNS, listSql, type ListSqlInput } from './contact-list.query';
import { copyIntoTemp } from './copy-rows';
import type { ContactRow } from './contact.entity';

/** The staged contacts' columns (COPY), as RECORD below. */
const STAGED_CONTACT = `id text, external_id text, email text, first_name text, last_name text, phone text, tags text[], custom_fields jsonb,
  subscription_status text, version int, created_at timestamptz, updated_at timestamptz`;

const RECORD = `r(id text, external_id text, email text, first_name text, last_name text, phone text, tags text[], custom_fields jsonb, subscription_status text,
                  version int, created_at timestamptz, updated_at timestamptz)`;

/**
 * The scope filter (`$1` tenant, `$2` mode) of a statement that reaches its
 * contacts by primary key (`c.id = ANY(…)`). The same filter as
 * `c.tenant_id = $1 AND c.mode = $2`, but as `(…) IS TRUE` no index can
 * serve it, so the rows are found through `contacts_pkey` whatever the
 * table's statistics say. Written plainly, a table not analysed since its
 * tenant grew (no statistics: "the tenant has one row") is planned as a walk
 * of the tenant's whole `(tenant_id, mode, …)` index with the ids as a
 * filter, or an UPDATE's hash join built over it: the tenant's size in heap
 * fetches for every group of tag changes (issue #17: ~70 % of the contacts
 * database's CPU at 500 updates/s, right after the bench created its 15 000
 * contacts).
 */
const IN_SCOPE_BY_ID = '(c.tenant_id = $1 AND c.mode = $2) IS TRUE';

/** The INSERT of typed value rows from the JSON document of parameter `param` (`$1` tenant, `$2` mode). */
function valuesInsertSql(param: string, where?: string): string {
  return `INSERT INTO custom_field_values (tenant_id, mode, field_key, contact_id, value_text, value_num, value_date)
       SELECT $1, $2, r.field_key, r.contact_id, r.value_text, r.value_num, r.value_date
       FROM jsonb_to_recordset(${param}::jsonb) AS r(field_key text, contact_id text, value_text text, value_num float8, value_date timestamptz)
       ${where ? `WHERE ${where}` : ''}`;
}

/** The INSERT … ON CONFLICT DO NOTHING of new contacts from the JSON document of `$3` (`$1` tenant, `$2` mode). */
const INSERT_CONTACTS_SQL = `INSERT INTO contacts (id, tenant_id, mode, external_id, email, first_name, last_name, phone, tags, custom_fields, subscription_status,
                             version, created_at, updated_at, sync_xid)
       SELECT r.id, $1, $2, r.external_id, r.email, r.first_name, r.last_name, r.phone, r.tags, r.custom_fields, r.subscription_status, r.version, r.created_at, r.updated_at,
              pg_current_xact_id()
       FROM jsonb_to_recordset($3::jsonb) AS ${RECORD}
       ON CONFLICT DO NOTHING
       RETURNING id`;

/**
 * The reads of contacts by id, as named statements (`queryNamed`, libs/platform's named-statement.ts): `GET /v1/contacts/:id` and the
 * existence checks and locks of every single-contact write run one of these texts thousands of times.
 */
const BY_ID: NamedStatement = {
  name: 'sigil_contacts_by_id',
  text: `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND c.id = $3`,
};
const BY_ID_FOR_UPDATE: NamedStatement = { name: 'sigil_contacts_by_id_for_update', text: `${BY_ID.text} FOR UPDATE` };
/** Several contacts by (tenant, mode, id), each key with its own scope (`findByScopedIds`). */
const BY_SCOPED_IDS: NamedStatement = {
  name: 'sigil_contacts_by_scoped_ids',
  text: `SELECT k.tenant_id AS k_tenant, k.mode AS k_mode, ${CONTACT_COLUMNS}
       FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, mode, id)
       JOIN contacts c ON c.tenant_id = k.tenant_id AND c.mode = k.mode AND c.id = k.id`,
};

/** What a create group writes besides the contacts, each row kept only if its contact was inserted. */
export interface CreatedWith {
  values: ValueRow[];
  consent: ConsentRow[];
  /** `outboxRowsJson` of the contacts' events, keyed by contact id. */
  events: string;
}

/** A contact id and the scope it is looked up in. */
export interface ScopedId {
  scope: TenantScope;
  id: string;
}

export function scopedIdKey(k: ScopedId): string {
  return `${k.scope.tenantId}\u0000${k.scope.mode}\u0000${k.id}`;
}

/** A row of a contact list page, with the positions its cursor is made of. */
export type ContactListRow = ContactRow & { sync_pos: string; updated_pos: string };

@Injectable()
export class ContactsRepository {
  async findById(m: EntityManager, s: TenantScope, id: string, lock = false): Promise<ContactRow | undefined> {
    const rows = await queryNamed<ContactRow>(m, lock ? BY_ID_FOR_UPDATE : BY_ID, [s.tenantId, s.mode, id]);
    return rows[0];
  }

  /**
   * Contacts by id, each id with its own scope (the batched reads of
   * `ContactsService.get`, which may hold several tenants' requests): a row
   * matches its key's tenant, mode and id, and comes back under `scopedIdKey`
   * of that key only. A lone key (every read when requests come one at a
   * time) runs `findById`'s statement, whose generic plan is the very index
   * probe of its custom ones, so PostgreSQL stops planning it after five
   * reads; the array form's generic plan assumes ten keys, and whether it
   * is kept depends on the table and the batch sizes.
   */
  async findByScopedIds(m: EntityManager, keys: ScopedId[]): Promise<Map<string, ContactRow>> {
    if (!keys.length) return new Map();
    if (keys.length === 1) {
      const key = keys[0]!;
      const row = await this.findById(m, key.scope, key.id);
      return new Map(row ? [[scopedIdKey(key), row]] : []);
    }
    const rows = await queryNamed<ContactRow & { k_tenant: string; k_mode: Mode }>(m, BY_SCOPED_IDS, [
      keys.map((k) => k.scope.tenantId),
      keys.map((k) => k.scope.mode),
      keys.map((k) => k.id),
    ]);
    const found = new Map<string, ContactRow>();
    for (const { k_tenant, k_mode, ...row } of rows) found.set(scopedIdKey({ scope: { tenantId: k_tenant, mode: k_mode }, id: row.id }), row);
    return found;
  }

  /** These contacts of the scope, in id order (the lock order of every multi-contact write); by primary key (IN_SCOPE_BY_ID). */
  async findByIds(m: EntityManager, s: TenantScope, ids: string[], lock = false): Promise<ContactRow[]> {
    if (!ids.length) return [];
    return m.query(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ANY($3::text[]) AND ${IN_SCOPE_BY_ID} ORDER BY c.id ${lock ? 'FOR UPDATE' : ''}`, [
      s.tenantId,
      s.mode,
      ids,
    ]);
  }

  async findByEmails(m: EntityManager, s: TenantScope, emails: string[], lock = false): Promise<ContactRow[]> {
    if (!emails.length) return [];
    return m.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c
       WHERE c.tenant_id = $1 AND c.mode = $2 AND lower(c.email) = ANY($3::text[])
       ORDER BY c.id ${lock ? 'FOR UPDATE' : ''}`,
      [s.tenantId, s.mode, emails],
    );
  }

  async findByExternalIds(m: EntityManager, s: TenantScope, externalIds: string[], lock = false): Promise<ContactRow[]> {
    if (!externalIds.length) return [];
    return m.query(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c
       WHERE c.tenant_id = $1 AND c.mode = $2 AND c.external_id = ANY($3::text[])
       ORDER BY c.id ${lock ? 'FOR UPDATE' : ''}`,
      [s.tenantId, s.mode, externalIds],
    );
  }

  /** Share-locks the contact (a concurrent delete waits) and says whether it exists. */
  async lockShared(m: EntityManager, s: TenantScope, id: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id = $3 FOR SHARE`, [s.tenantId, s.mode, id]);
    return rows.length > 0;
  }

  /** A page of the contact list: filters, order and cursor as `listSql` (contact-list.query.ts) writes them. */
  async list(m: EntityManager, s: TenantScope, input: Omit<ListSqlInput, 'tenantId' | 'mode'>): Promise<ContactListRow[]> {
    const { sql, params } = listSql({ ...input, tenantId: s.tenantId, mode: s.mode });
    return m.query(sql, params);
  }

  /**
   * Every tenant's contacts by id after `after` (the snapshot other services'
   * read models are rebuilt from): the one read across tenants, each row with its own.
   */
  async snapshotPage(m: EntityManager, after: string, limit: number): Promise<Array<ContactRow & { tenant_id: string; mode: Mode }>> {
    return m.query(`SELECT ${CONTACT_COLUMNS}, c.tenant_id, c.mode FROM contacts c WHERE c.id > $1 ORDER BY c.id LIMIT $2`, [after, limit]);
  }

  async idOfExternalId(m: EntityManager, s: TenantScope, externalId: string): Promise<string | undefined> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM contacts WHERE tenant_id = $1 AND mode = $2 AND external_id = $3`, [s.tenantId, s.mode, externalId]);
    return rows[0]?.id;
  }

  async idOfEmail(m: EntityManager, s: TenantScope, email: string): Promise<string | undefined> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM contacts WHERE tenant_id = $1 AND mode = $2 AND lower(email) = lower($3)`, [s.tenantId, s.mode, email]);
    return rows[0]?.id;
  }

  /** Inserts the contacts whose email (and external_id) is free; returns the ids actually inserted. */
  async insertMany(m: EntityManager, s: TenantScope, contacts: ContactSnapshot[]): Promise<Set<string>> {
    if (!contacts.length) return new Set();
    const rows: { id: string }[] = await m.query(INSERT_CONTACTS_SQL, [s.tenantId, s.mode, JSON.stringify(contacts)]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * insertMany and everything that goes with the new contacts — their value
   * rows, consent rows and outbox events (with the relay's NOTIFY) — in ONE
   * statement: data-modifying WITHs all run to completion in the statement's
   * own transaction, so the contacts and their events commit together even
   * without a transaction around the call (a create group's write,
   * ContactCreates). A row of `also` is written only if its contact was
   * inserted (a contact whose email or external_id is taken writes nothing).
   * Returns the ids inserted.
   */
  async insertManyWith(m: EntityManager, s: TenantScope, contacts: ContactSnapshot[], also: CreatedWith): Promise<Set<string>> {
    if (!contacts.length) return new Set();
    const inserted = 'IN (SELECT id FROM ins)';
    const [row]: { ids: string[] }[] = await m.query(
      `WITH ins AS (${INSERT_CONTACTS_SQL}),
            vals AS (${valuesInsertSql('$4', `r.contact_id ${inserted}`)}),
            cons AS (${consentInsertSql('$5', `r.contact_id ${inserted}`)}),
            evts AS (${outboxInsertSql('$6', `r.key ${inserted}`)})
       SELECT ARRAY(SELECT id FROM ins) AS ids, ${OUTBOX_NOTIFY_SQL}`,
      [s.tenantId, s.mode, JSON.stringify(contacts), JSON.stringify(also.values), JSON.stringify(also.consent), also.events],
    );
    return new Set(row?.ids ?? []);
  }

  /**
   * insertMany for import batches: the same INSERT … ON CONFLICT DO NOTHING
   * RETURNING (same conflicts, same stamps), fed by COPY into a temporary
   * table instead of one JSON parameter.
   */
  async insertManyCopied(m: EntityManager, s: TenantScope, contacts: ContactSnapshot[]): Promise<Set<string>> {
    if (!contacts.length) return new Set();
    const staged = await copyIntoTemp(
      m,
      'stage_contacts',
      STAGED_CONTACT,
      contacts.map((c) => [
        c.id,
        c.external_id,
        c.email,
        c.first_name,
        c.last_name,
        c.phone,
        c.tags,
        JSON.stringify(c.custom_fields),
        c.subscription_status,
        c.version,
        c.created_at,
        c.updated_at,
      ]),
    );
    const rows: { id: string }[] = await m.query(
      `INSERT INTO contacts (id, tenant_id, mode, external_id, email, first_name, last_name, phone, tags, custom_fields, subscription_status,
                             version, created_at, updated_at, sync_xid)
       SELECT r.id, $1, $2, r.external_id, r.email, r.first_name, r.last_name, r.phone, r.tags, r.custom_fields, r.subscription_status, r.version, r.created_at, r.updated_at,
              pg_current_xact_id()
       FROM ${staged} r
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [s.tenantId, s.mode],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The typed value rows of contacts just created, by COPY (see insertManyCopied). */
  async insertValuesCopied(m: EntityManager, s: TenantScope, rows: ValueRow[]): Promise<void> {
    if (!rows.length) return;
    const staged = await copyIntoTemp(
      m,
      'stage_values',
      'field_key text, contact_id text, value_text text, value_num float8, value_date timestamptz',
      rows.map((r) => [r.field_key, r.contact_id, r.value_text, r.value_num, r.value_date]),
    );
    await m.query(
      `INSERT INTO custom_field_values (tenant_id, mode, field_key, contact_id, value_text, value_num, value_date)
       SELECT $1, $2, r.field_key, r.contact_id, r.value_text, r.value_num, r.value_date FROM ${staged} r`,
      [s.tenantId, s.mode],
    );
  }

  /** Saves these contacts of the scope; reached by primary key (`$4`, IN_SCOPE_BY_ID), then joined to their new values. */
  async updateMany(m: EntityManager, s: TenantScope, contacts: ContactSnapshot[]): Promise<void> {
    if (!contacts.length) return;
    await m.query(
      `UPDATE contacts c SET external_id = r.external_id, email = r.email, first_name = r.first_name, last_name = r.last_name, phone = r.phone,
              tags = r.tags, custom_fields = r.custom_fields, subscription_status = r.subscription_status, version = r.version, updated_at = r.updated_at,
              sync_xid = pg_current_xact_id()
       FROM jsonb_to_recordset($3::jsonb) AS ${RECORD}
       WHERE c.id = ANY($4::text[]) AND ${IN_SCOPE_BY_ID} AND c.id = r.id`,
      [s.tenantId, s.mode, JSON.stringify(contacts), contacts.map((c) => c.id)],
    );
  }

  /**
   * Bumps the version (and sync position) of the contact of a suppressed (or
   * no longer suppressed) email and returns its snapshot as it now reads:
   * one probe of the unique email index.
   */
  async touchByEmail(m: EntityManager, s: TenantScope, email: string): Promise<ContactRow[]> {
    const [rows]: [ContactRow[], number] = await m.query(
      `UPDATE contacts c SET version = c.version + 1, updated_at = now(), sync_xid = pg_current_xact_id()
       WHERE c.tenant_id = $1 AND c.mode = $2 AND lower(c.email) = $3
       RETURNING ${CONTACT_COLUMNS}`,
      [s.tenantId, s.mode, email],
    );
    return rows;
  }

  /**
   * One window of a domain suppression's walk: the next `scan` contacts of
   * the scope after `afterId` (index `contacts_tenant_id`), of which those of
   * the domain get their version bumped; their snapshots, and where the
   * window ended (null once the scope's contacts are exhausted). A domain is
   * matched on the email's part after the `@`: no index for it (it would tax
   * every contact write for a rare operation), so the windows bound the scan.
   */
  async touchDomainWindow(m: EntityManager, s: TenantScope, domain: string, afterId: string, scan: number): Promise<{ touched: ContactRow[]; last: string | null }> {
    const [window]: { last: string | null; n: number }[] = await m.query(
      `SELECT max(id) AS last, count(*)::int AS n FROM (
         SELECT id FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id > $3 ORDER BY id LIMIT $4) w`,
      [s.tenantId, s.mode, afterId, scan],
    );
    if (!window?.last) return { touched: [], last: null };
    const [rows]: [ContactRow[], number] = await m.query(
      `UPDATE contacts c SET version = c.version + 1, updated_at = now(), sync_xid = pg_current_xact_id()
       WHERE c.tenant_id = $1 AND c.mode = $2 AND c.id > $3 AND c.id <= $4 AND split_part(lower(c.email), '@', 2) = $5
       RETURNING ${CONTACT_COLUMNS}`,
      [s.tenantId, s.mode, afterId, window.last, domain],
    );
    return { touched: rows, last: window.n < scan ? null : window.last };
  }

  /** Deletes the contact with its value rows (deleteMany); its activities and consent history go by cascade. Returns its version. */
  async delete(m: EntityManager, s: TenantScope, id: string): Promise<number | undefined> {
    return (await this.deleteMany(m, s, [id])).get(id);
  }

  /**
   * Deletes these contacts, then their typed value rows; activities and
   * consent history go by `ON DELETE CASCADE`. Value rows have no foreign
   * key (migration 1765300000100: checking one per inserted value row was
   * over half the cost of writing them), so this is where they go: in a
   * second statement, after the contacts' rows are deleted and locked, so
   * that it sees any value row a concurrent writer added before we got the
   * lock (a statement's snapshot would not). Returns each deleted id's version.
   */
  async deleteMany(m: EntityManager, s: TenantScope, ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    // TypeORM answers UPDATE/DELETE … RETURNING as [rows, count].
    const [rows]: [{ id: string; version: number }[], number] = await m.query(
      `DELETE FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id = ANY($3::text[]) RETURNING id, version`,
      [s.tenantId, s.mode, ids],
    );
    if (rows.length) {
      await m.query(`DELETE FROM custom_field_values WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($3::text[])`, [s.tenantId, s.mode, rows.map((r) => r.id)]);
    }
    return new Map(rows.map((r) => [r.id, r.version]));
  }

  /**
   * A deleted custom field: its value leaves every contact that had one (a
   * new version each) and its value rows go. Returns the contacts changed.
   */
  async removeFieldValues(m: EntityManager, s: TenantScope, key: string, now: Date): Promise<ContactRow[]> {
    // TypeORM answers UPDATE … RETURNING as [rows, count].
    const [changed]: [ContactRow[], number] = await m.query(
      `UPDATE contacts c SET custom_fields = c.custom_fields - $3::text, version = c.version + 1, updated_at = $4,
              sync_xid = pg_current_xact_id()
       WHERE c.tenant_id = $1 AND c.mode = $2 AND c.id IN (
         SELECT v.contact_id FROM custom_field_values v WHERE v.tenant_id = $1 AND v.mode = $2 AND v.field_key = $3)
       RETURNING ${CONTACT_COLUMNS}`,
      [s.tenantId, s.mode, key, now],
    );
    await m.query(`DELETE FROM custom_field_values WHERE tenant_id = $1 AND mode = $2 AND field_key = $3`, [s.tenantId, s.mode, key]);
    return changed;
  }

  /** Replaces the typed value rows of these contacts (`fresh`: they have none yet). */
  async replaceValues(m: EntityManager, s: TenantScope, contactIds: string[], rows: ValueRow[], fresh = false): Promise<void> {
    if (!fresh && contactIds.length) {
      await m.query(`DELETE FROM custom_field_values WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($3::text[])`, [s.tenantId, s.mode, contactIds]);
    }
    if (!rows.length) return;
    await m.query(valuesInsertSql('$3'), [s.tenantId, s.mode, JSON.stringify(rows)]);
  }
}
