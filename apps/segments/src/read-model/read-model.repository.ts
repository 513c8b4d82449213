/**
 * SQL of the segments service's read model of contacts: the `contacts`
 * table (snapshots and tombstones), `contact_activities` and the
 * `custom_field_kinds` seen in values. Every write to them goes through here.
 *
 * Methods of one tenant take the scope after the manager. The event-fed
 * writes (`upsert`, `insertActivities`) and the rebuild's bookkeeping work
 * across tenants: each row they take carries its own `tenant_id` and `mode`,
 * and every statement matches on both.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActivitySnapshot, Mode, TenantContactSnapshot } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';
import { queryPrepared } from '../prepared-query';
import { contactsByIds, lockOrder } from './contacts-by-id';

/** A contact of the read model, by its full key. */
export interface ContactKey {
  tenant_id: string;
  mode: Mode;
  id: string;
}

/**
 * `subscription_status` and `suppressed` come with every contact payload (SPEC §12);
 * a payload without them (older producers) means subscribed and not suppressed.
 */
const SNAPSHOT_COLUMNS = `r(tenant_id text, mode text, id text, email text, first_name text, last_name text, phone text,
  tags text[], custom_fields jsonb, created_at timestamptz, updated_at timestamptz, version integer,
  subscription_status text, suppressed boolean)`;

@Injectable()
export class ReadModelRepository {
  /**
   * Upserts snapshots (any tenants), keeping the newer version and never
   * reviving a tombstone, and records the custom field kinds their values
   * show. Returns the contacts that changed.
   */
  async upsert(m: EntityManager, snapshots: TenantContactSnapshot[]): Promise<ContactKey[]> {
    if (!snapshots.length) return [];
    // One statement (an event batch's transaction pays per statement, docs/segments.md): the kinds only
    // when a contact changed, and only keys whose kind is new — an ON CONFLICT on an existing row locks
    // it even when it changes nothing, which would serialise every partition's transaction of a tenant
    // on its field rows.
    return queryPrepared<ContactKey>(
      m,
      `WITH changed AS (
         INSERT INTO contacts AS t (tenant_id, mode, id, email, first_name, last_name, phone, tags, custom_fields, created_at, updated_at, version,
                                    subscription_status, suppressed, deleted, synced_at)
         SELECT r.tenant_id, r.mode, r.id, r.email, r.first_name, r.last_name, r.phone, coalesce(r.tags, '{}'), coalesce(r.custom_fields, '{}'),
                r.created_at, r.updated_at, r.version, coalesce(r.subscription_status, 'subscribed'), coalesce(r.suppressed, false), false, now()
           FROM jsonb_to_recordset($1::jsonb) AS ${SNAPSHOT_COLUMNS}
         ON CONFLICT (tenant_id, mode, id) DO UPDATE SET
           email = EXCLUDED.email, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, phone = EXCLUDED.phone,
           tags = EXCLUDED.tags, custom_fields = EXCLUDED.custom_fields, created_at = EXCLUDED.created_at,
           updated_at = EXCLUDED.updated_at, version = EXCLUDED.version,
           subscription_status = EXCLUDED.subscription_status, suppressed = EXCLUDED.suppressed, synced_at = now()
         WHERE t.version < EXCLUDED.version AND NOT t.deleted
         RETURNING t.tenant_id, t.mode, t.id
       ), kinds AS (
         INSERT INTO custom_field_kinds (tenant_id, mode, key, kind)
         SELECT DISTINCT ON (r.tenant_id, r.mode, kv.key) r.tenant_id, r.mode, kv.key, jsonb_typeof(kv.value)
           FROM jsonb_to_recordset($1::jsonb) AS ${SNAPSHOT_COLUMNS}, jsonb_each(coalesce(r.custom_fields, '{}')) AS kv
          WHERE EXISTS (SELECT 1 FROM changed)
            AND jsonb_typeof(kv.value) IN ('string', 'number', 'boolean', 'array')
            AND NOT EXISTS (SELECT 1 FROM custom_field_kinds k
                             WHERE k.tenant_id = r.tenant_id AND k.mode = r.mode AND k.key = kv.key
                               AND (k.kind = jsonb_typeof(kv.value) OR k.kind = 'mixed'))
         ON CONFLICT (tenant_id, mode, key) DO UPDATE SET kind = 'mixed' WHERE custom_field_kinds.kind <> EXCLUDED.kind
       )
       SELECT tenant_id, mode, id FROM changed`,
      [JSON.stringify(snapshots)],
    );
  }

  /**
   * Tombstones a contact (personal data erased) unless a newer version is
   * held (`version` null: whatever is held); drops its activities. Returns
   * whether it was erased now.
   */
  async erase(m: EntityManager, s: TenantScope, contactId: string, version: number | null): Promise<boolean> {
    const erased: unknown[] = await m.query(
      `INSERT INTO contacts AS t (tenant_id, mode, id, email, created_at, updated_at, version, deleted)
       VALUES ($1, $2, $3, '', now(), now(), coalesce($4::int, 0), true)
       ON CONFLICT (tenant_id, mode, id) DO UPDATE SET
         email = '', first_name = NULL, last_name = NULL, phone = NULL, tags = '{}', custom_fields = '{}'::jsonb,
         version = greatest(t.version, EXCLUDED.version), deleted = true, synced_at = now()
       WHERE (t.version <= EXCLUDED.version OR $4::int IS NULL) AND NOT t.deleted
       RETURNING t.id`,
      [s.tenantId, s.mode, contactId, version],
    );
    if (!erased.length) return false;
    await m.query(`DELETE FROM contact_activities WHERE tenant_id = $1 AND mode = $2 AND contact_id = $3`, [s.tenantId, s.mode, contactId]);
    return true;
  }

  /** Stores activities of any tenants (idempotent on activity id; none for a tombstone). Returns the contacts that got one. */
  async insertActivities(m: EntityManager, activities: ActivitySnapshot[]): Promise<ContactKey[]> {
    if (!activities.length) return [];
    const rows: Array<{ tenant_id: string; mode: Mode; contact_id: string }> = await m.query(
      `INSERT INTO contact_activities (tenant_id, mode, id, contact_id, type, occurred_at, properties)
       SELECT r.tenant_id, r.mode, r.id, r.contact_id, r.type, r.occurred_at, coalesce(r.properties, '{}')
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, mode text, id text, contact_id text, type text, occurred_at timestamptz, properties jsonb)
        WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = r.tenant_id AND c.mode = r.mode AND c.id = r.contact_id AND c.deleted)
       ON CONFLICT DO NOTHING
       RETURNING tenant_id, mode, contact_id`,
      [JSON.stringify(activities)],
    );
    return rows.map((r) => ({ tenant_id: r.tenant_id, mode: r.mode, id: r.contact_id }));
  }

  /** A merge: the merged contacts' activities move to the primary. */
  async moveActivities(m: EntityManager, s: TenantScope, primaryId: string, mergedIds: string[]): Promise<void> {
    await m.query(`UPDATE contact_activities SET contact_id = $3 WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($4::text[])`, [
      s.tenantId,
      s.mode,
      primaryId,
      mergedIds,
    ]);
  }

  /**
   * Row-locks these contacts in id order (the lock order of every membership
   * evaluation) and returns the ids locked: `live` only contacts that are not
   * tombstones, `any` every one held.
   */
  async lock(m: EntityManager, s: TenantScope, ids: string[], strength: 'update' | 'share', which: 'live' | 'any'): Promise<string[]> {
    if (!ids.length) return [];
    const rows: Array<{ id: string }> = await m.query(
      `SELECT c.id FROM ${contactsByIds('$3::text[]', { lock: strength === 'update' ? 'UPDATE' : 'SHARE', liveOnly: which === 'live' })}`,
      [s.tenantId, s.mode, lockOrder(ids)],
    );
    return rows.map((r) => r.id);
  }

  /** The next `limit` live contacts after `after` by id, locked FOR SHARE (a reconcile chunk). */
  async lockNextLive(m: EntityManager, s: TenantScope, after: string, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id > $3 AND NOT deleted ORDER BY id LIMIT $4 FOR SHARE`,
      [s.tenantId, s.mode, after, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Whether the contact is held and not a tombstone. */
  async isLive(m: EntityManager, s: TenantScope, contactId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM contacts WHERE tenant_id = $1 AND mode = $2 AND id = $3 AND NOT deleted`, [s.tenantId, s.mode, contactId]);
    return rows.length > 0;
  }

  /** The kinds seen for these custom field keys (`mixed` when values of several kinds were seen). */
  async fieldKinds(m: EntityManager, s: TenantScope, keys: string[]): Promise<Map<string, string>> {
    if (!keys.length) return new Map();
    const rows: Array<{ key: string; kind: string }> = await m.query(
      `SELECT key, kind FROM custom_field_kinds WHERE tenant_id = $1 AND mode = $2 AND key = ANY($3::text[])`,
      [s.tenantId, s.mode, keys],
    );
    return new Map(rows.map((r) => [r.key, r.kind]));
  }

  /** The database's clock: a rebuild's start, compared with `synced_at` written by the same clock. */
  async now(m: EntityManager): Promise<Date> {
    const [{ now }]: [{ now: Date }] = await m.query(`SELECT now() AS now`);
    return now;
  }

  /** A rebuild: these contacts (any tenants) were seen in the snapshot. */
  async markSynced(m: EntityManager, keys: ContactKey[]): Promise<void> {
    if (!keys.length) return;
    await m.query(
      `UPDATE contacts t SET synced_at = now() FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, mode text, id text)
        WHERE t.tenant_id = r.tenant_id AND t.mode = r.mode AND t.id = r.id`,
      [JSON.stringify(keys.map((k) => ({ tenant_id: k.tenant_id, mode: k.mode, id: k.id })))],
    );
  }

  /**
   * A rebuild: live contacts (any tenants) not seen since `since`, at most
   * `limit`, after `after` in primary-key order. `synced_at` has no index (an
   * index on it made every event's update of a contact a non-HOT update): the
   * rebuild's last step walks the primary key once, page by page.
   */
  async notSyncedSince(m: EntityManager, since: Date, after: ContactKey | null, limit: number): Promise<ContactKey[]> {
    return m.query(
      `SELECT tenant_id, mode, id FROM contacts
        WHERE (tenant_id, mode, id) > ($2::text, $3::text, $4::text) AND NOT deleted AND synced_at < $1
        ORDER BY tenant_id, mode, id LIMIT $5`,
      [since, after?.tenant_id ?? '', after?.mode ?? '', after?.id ?? '', limit],
    );
  }
}
