/**
 * The segments service's read model of contacts, fed only by contact events
 * (and, for a rebuild, by the contacts snapshot). Each event is applied once
 * (ledger of event ids); a per-contact `version` guard drops events older
 * than what is held, so redelivered and reordered events converge to the
 * same state. A deleted contact becomes a tombstone with its personal data
 * erased. Every change re-evaluates that contact's segment membership.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ActivitySnapshot, DomainEvent, EventPayloads, Mode, TenantContactSnapshot } from '@sigil/contracts';
import { OutboxWriter, processNewEvents } from '@sigil/platform';
import { MembershipService, type Cause } from '../membership/membership.service';
import { contactsByIds, lockOrder } from './contacts-by-id';
import { returnedRows } from '@sigil/platform';

export const READ_MODEL_CONSUMER = 'segments.read-model';


/**
 * `subscription_status` and `suppressed` come with every contact payload (SPEC §12);
 * a payload without them (older producers) means subscribed and not suppressed.
 */
const SNAPSHOT_COLUMNS = `r(tenant_id text, mode text, id text, email text, first_name text, last_name text, phone text,
  tags text[], custom_fields jsonb, created_at timestamptz, updated_at timestamptz, version integer,
  subscription_status text, suppressed boolean)`;

/** A snapshot to apply, with the event that carried it (kept in the membership history). */
type CausedSnapshot = TenantContactSnapshot & { cause?: Cause };
type CausedActivity = ActivitySnapshot & { cause?: Cause };

@Injectable()
export class ReadModelService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly membership: MembershipService,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Applies one domain event; other than contact events are ignored. Returns whether it was new. */
  async apply(event: DomainEvent): Promise<boolean> {
    return (await this.applyBatch([event])) > 0;
  }

  /**
   * Applies a partition's events in order, in one transaction: each event
   * once (the ledger), consecutive contact snapshots in one upsert and
   * consecutive activities in one insert, each followed by one membership
   * evaluation of the contacts they touched. A contact met twice in a run is
   * applied in rounds (its first event with everyone's first, its second in
   * the next round…), so every change still yields its own entered/exited
   * events, exactly as one event at a time would. Returns how many were new.
   */
  async applyBatch(events: DomainEvent[]): Promise<number> {
    const relevant = events.filter((e) => e.type.startsWith('contact.'));
    if (!relevant.length) return 0;
    return this.dataSource.transaction(async (manager) => {
      const fresh = await processNewEvents(manager, READ_MODEL_CONSUMER, relevant.map((e) => e.id));
      let applied = 0;
      let snapshots: CausedSnapshot[] = [];
      let activities: CausedActivity[] = [];
      const flush = async () => {
        for (const round of inRounds(snapshots, (c) => c.id)) await this.upsert(manager, round);
        for (const round of inRounds(activities, (a) => a.contact_id)) await this.recordActivities(manager, round);
        snapshots = [];
        activities = [];
      };
      for (const event of relevant) {
        if (!fresh.delete(event.id)) continue; // seen before, or a duplicate within this batch
        const { tenant_id: tenantId, mode } = event;
        const cause: Cause = { type: event.type, event_id: event.id };
        switch (event.type) {
          case 'contact.activity_recorded': {
            if (snapshots.length) await flush();
            const { contact_id, activity } = event.data as EventPayloads['contact.activity_recorded'];
            activities.push({ ...activity, tenant_id: tenantId, mode, contact_id, cause });
            break;
          }
          case 'contact.merged': {
            await flush();
            const { primary_id, merged_ids } = event.data as EventPayloads['contact.merged'];
            await this.absorb(manager, tenantId, mode, primary_id, merged_ids);
            break;
          }
          case 'contact.deleted': {
            await flush();
            const { id, version } = event.data as EventPayloads['contact.deleted'];
            await this.erase(manager, tenantId, mode, id, version, cause);
            break;
          }
          default: {
            // contact.created / updated / tags_changed, and any other contact event carrying the
            // contact's snapshot (e.g. a subscription change): the newest version wins.
            const { contact } = event.data as Partial<EventPayloads['contact.created']>;
            if (!contact || typeof contact !== 'object' || typeof contact.id !== 'string') break;
            if (activities.length) await flush();
            snapshots.push({ ...contact, tenant_id: tenantId, mode, cause });
            break;
          }
        }
        applied++;
      }
      await flush();
      return applied;
    });
  }

  /**
   * Upserts snapshots (any tenants), keeping the newer version, and
   * re-evaluates the contacts that changed. Returns the ids that changed.
   */
  async upsert(manager: EntityManager, snapshots: CausedSnapshot[], cause: Cause = { type: 'snapshot' }): Promise<string[]> {
    if (!snapshots.length) return [];
    const json = JSON.stringify(snapshots.map(({ cause: _cause, ...snapshot }) => snapshot));
    const changed: Array<{ tenant_id: string; mode: Mode; id: string }> = await manager.query(
      `INSERT INTO contacts AS t (tenant_id, mode, id, email, first_name, last_name, phone, tags, custom_fields, created_at, updated_at, version,
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
       RETURNING t.tenant_id, t.mode, t.id`,
      [json],
    );
    if (!changed.length) return [];
    // Only keys whose kind is new: an ON CONFLICT on an existing row locks it even when it changes
    // nothing, which would serialise every partition's transaction of a tenant on its field rows.
    await manager.query(
      `INSERT INTO custom_field_kinds (tenant_id, mode, key, kind)
       SELECT DISTINCT ON (r.tenant_id, r.mode, kv.key) r.tenant_id, r.mode, kv.key, jsonb_typeof(kv.value)
         FROM jsonb_to_recordset($1::jsonb) AS ${SNAPSHOT_COLUMNS}, jsonb_each(coalesce(r.custom_fields, '{}')) AS kv
        WHERE jsonb_typeof(kv.value) IN ('string', 'number', 'boolean', 'array')
          AND NOT EXISTS (SELECT 1 FROM custom_field_kinds k
                           WHERE k.tenant_id = r.tenant_id AND k.mode = r.mode AND k.key = kv.key
                             AND (k.kind = jsonb_typeof(kv.value) OR k.kind = 'mixed'))
       ON CONFLICT (tenant_id, mode, key) DO UPDATE SET kind = 'mixed' WHERE custom_field_kinds.kind <> EXCLUDED.kind`,
      [json],
    );
    const causes = new Map(snapshots.map((s) => [s.id, s.cause ?? cause]));
    for (const [scope, ids] of groupByTenant(changed)) {
      const [tenantId, mode] = scope.split(' ') as [string, Mode];
      await this.membership.reevaluate(manager, tenantId, mode, ids, undefined, causes);
    }
    return changed.map((c) => c.id);
  }

  /**
   * A merge: the merged contacts' list memberships (with `list.member_added`
   * for the lists the primary was not in yet) and activities move to the
   * primary. The `contact.deleted` events that follow on the same partition
   * then find nothing of theirs left to drop; the primary's
   * `contact.updated` re-evaluates its segments.
   */
  async absorb(manager: EntityManager, tenantId: string, mode: Mode, primaryId: string, mergedIds: string[]): Promise<void> {
    const added = returnedRows<{ list_id: string }>(
      await manager.query(
        `INSERT INTO list_members (tenant_id, mode, list_id, contact_id, added_at)
         SELECT tenant_id, mode, list_id, $3, min(added_at) FROM list_members
          WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($4::text[])
          GROUP BY tenant_id, mode, list_id
         ON CONFLICT DO NOTHING
         RETURNING list_id`,
        [tenantId, mode, primaryId, mergedIds],
      ),
    );
    await manager.query(`UPDATE contact_activities SET contact_id = $3 WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($4::text[])`, [
      tenantId,
      mode,
      primaryId,
      mergedIds,
    ]);
    await this.outbox.append(
      manager,
      added.map((l) => ({
        type: 'list.member_added' as const,
        tenant_id: tenantId,
        mode,
        key: primaryId,
        data: { list_id: l.list_id, contact_id: primaryId },
      })),
    );
  }

  /**
   * Tombstones a contact (personal data erased) unless a newer version is held;
   * drops its activities, list memberships (with `list.member_removed`) and
   * segment memberships (with `segment.contact_exited`).
   */
  async erase(
    manager: EntityManager,
    tenantId: string,
    mode: Mode,
    contactId: string,
    version: number | null,
    cause: Cause = { type: 'contact.deleted' },
  ): Promise<boolean> {
    const erased: unknown[] = await manager.query(
      `INSERT INTO contacts AS t (tenant_id, mode, id, email, created_at, updated_at, version, deleted)
       VALUES ($1, $2, $3, '', now(), now(), coalesce($4::int, 0), true)
       ON CONFLICT (tenant_id, mode, id) DO UPDATE SET
         email = '', first_name = NULL, last_name = NULL, phone = NULL, tags = '{}', custom_fields = '{}'::jsonb,
         version = greatest(t.version, EXCLUDED.version), deleted = true, synced_at = now()
       WHERE (t.version <= EXCLUDED.version OR $4::int IS NULL) AND NOT t.deleted
       RETURNING t.id`,
      [tenantId, mode, contactId, version],
    );
    if (!erased.length) return false;
    await manager.query(`DELETE FROM contact_activities WHERE tenant_id = $1 AND mode = $2 AND contact_id = $3`, [tenantId, mode, contactId]);
    const lists = returnedRows<{ list_id: string }>(
      await manager.query(`DELETE FROM list_members WHERE tenant_id = $1 AND mode = $2 AND contact_id = $3 RETURNING list_id`, [
        tenantId,
        mode,
        contactId,
      ]),
    );
    await this.outbox.append(
      manager,
      lists.map((l) => ({
        type: 'list.member_removed' as const,
        tenant_id: tenantId,
        mode,
        key: contactId,
        data: { list_id: l.list_id, contact_id: contactId },
      })),
    );
    await this.membership.removeContact(manager, tenantId, mode, contactId, cause);
    return true;
  }

  /** Stores activities (idempotent on activity id) and re-evaluates their contacts. */
  async recordActivities(manager: EntityManager, activities: CausedActivity[]): Promise<void> {
    if (!activities.length) return;
    const causes = new Map(activities.map((a) => [a.contact_id, a.cause ?? { type: 'snapshot' }]));
    const inserted: Array<{ tenant_id: string; mode: Mode; contact_id: string }> = await manager.query(
      `INSERT INTO contact_activities (tenant_id, mode, id, contact_id, type, occurred_at, properties)
       SELECT r.tenant_id, r.mode, r.id, r.contact_id, r.type, r.occurred_at, coalesce(r.properties, '{}')
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, mode text, id text, contact_id text, type text, occurred_at timestamptz, properties jsonb)
        WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = r.tenant_id AND c.mode = r.mode AND c.id = r.contact_id AND c.deleted)
       ON CONFLICT DO NOTHING
       RETURNING tenant_id, mode, contact_id`,
      [JSON.stringify(activities.map(({ cause: _cause, ...activity }) => activity))],
    );
    for (const [scope, ids] of groupByTenant(inserted.map((r) => ({ tenant_id: r.tenant_id, mode: r.mode, id: r.contact_id })))) {
      const [tenantId, mode] = scope.split(' ') as [string, Mode];
      const locked: Array<{ id: string }> = await manager.query(
        `SELECT c.id FROM ${contactsByIds('$3::text[]', { lock: 'UPDATE', liveOnly: true })}`,
        [tenantId, mode, lockOrder(ids)],
      );
      await this.membership.reevaluate(manager, tenantId, mode, locked.map((r) => r.id), undefined, causes);
    }
  }
}

/**
 * Splits items into rounds where each contact appears at most once, keeping
 * each contact's order: round n holds every contact's n-th item.
 */
function inRounds<T extends { tenant_id: string; mode: string }>(items: T[], contactOf: (item: T) => string): T[][] {
  const seen = new Map<string, number>();
  const rounds: T[][] = [];
  for (const item of items) {
    const key = `${item.tenant_id} ${item.mode} ${contactOf(item)}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (rounds[n] ??= []).push(item);
  }
  return rounds;
}

function groupByTenant(rows: Array<{ tenant_id: string; mode: Mode; id: string }>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const key = `${row.tenant_id} ${row.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), row.id]);
  }
  return groups;
}
