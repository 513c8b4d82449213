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
import { OutboxWriter, processNewEvents, type TenantScope } from '@sigil/platform';
import { ListsRepository } from '../lists/lists.repository';
import { MembershipService, type Cause } from '../membership/membership.service';
import { ReadModelRepository, type ContactKey } from './read-model.repository';

export const READ_MODEL_CONSUMER = 'segments.read-model';

/** Contact events that are not idempotent by themselves, applied once through the ledger (see applyBatch). */
const LEDGERED: ReadonlySet<string> = new Set(['contact.imported', 'contact.merged', 'contact.deleted']);

/** A snapshot to apply, with the event that carried it (kept in the membership history). */
type CausedSnapshot = TenantContactSnapshot & { cause?: Cause };
type CausedActivity = ActivitySnapshot & { cause?: Cause };
/** A `contact.imported`: the import's list gains the contact. */
type ImportedMember = { tenant_id: string; mode: Mode; list_id: string; contact_id: string; cause: Cause };

@Injectable()
export class ReadModelService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly membership: MembershipService,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ReadModelRepository,
    private readonly lists: ListsRepository,
  ) {}

  /** Applies one domain event; other than contact events are ignored. Returns whether it was new. */
  async apply(event: DomainEvent): Promise<boolean> {
    return (await this.applyBatch([event])) > 0;
  }

  /**
   * Applies a partition's events in order, in one transaction: each event
   * once, consecutive contact snapshots in one upsert and consecutive
   * activities in one insert, each followed by one membership evaluation of
   * the contacts they touched. A contact met twice in a run is applied in
   * rounds (its first event with everyone's first, its second in the next
   * round…), so every change still yields its own entered/exited events,
   * exactly as one event at a time would. Returns how many were applied (a
   * redelivered snapshot or activity is applied again and changes nothing).
   *
   * Once: snapshots and activities are idempotent by themselves (the newer
   * version wins and a tombstone stays; an activity is stored once by its
   * id), and only the changes they make are evaluated and announced. The
   * other events go through the ledger of event ids: a list membership added
   * by an import row must not come back when that row's event is redelivered
   * after the member was removed.
   */
  async applyBatch(events: DomainEvent[]): Promise<number> {
    const relevant = events.filter((e) => e.type.startsWith('contact.'));
    if (!relevant.length) return 0;
    return this.dataSource.transaction(async (manager) => {
      // Most events are snapshots: no ledger rows for them (16 of the 64 s of this consumer's statements in a 1 M-row import).
      const fresh = await processNewEvents(
        manager,
        READ_MODEL_CONSUMER,
        relevant.filter((e) => LEDGERED.has(e.type)).map((e) => e.id),
      );
      let applied = 0;
      let snapshots: CausedSnapshot[] = [];
      let activities: CausedActivity[] = [];
      let imported: ImportedMember[] = [];
      const flush = async () => {
        for (const round of inRounds(snapshots, (c) => c.id)) await this.upsert(manager, round);
        for (const round of inRounds(activities, (a) => a.contact_id)) await this.recordActivities(manager, round);
        await this.addImported(manager, imported);
        snapshots = [];
        activities = [];
        imported = [];
      };
      for (const event of relevant) {
        if (LEDGERED.has(event.type) && !fresh.delete(event.id)) continue; // seen before, or a duplicate within this batch
        const { tenant_id: tenantId, mode } = event;
        const cause: Cause = { type: event.type, event_id: event.id };
        switch (event.type) {
          case 'contact.activity_recorded': {
            if (snapshots.length || imported.length) await flush();
            const { contact_id, activity } = event.data as EventPayloads['contact.activity_recorded'];
            activities.push({ ...activity, tenant_id: tenantId, mode, contact_id, cause });
            break;
          }
          case 'contact.imported': {
            // After the contacts' own snapshots (earlier on their partitions): they must be known first.
            if (snapshots.length || activities.length) await flush();
            const { contact_id, list_id } = event.data as EventPayloads['contact.imported'];
            imported.push({ tenant_id: tenantId, mode, list_id, contact_id, cause });
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
            if (activities.length || imported.length) await flush();
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
    const changed = await this.contacts.upsert(
      manager,
      snapshots.map(({ cause: _cause, ...snapshot }) => snapshot),
    );
    if (!changed.length) return [];
    const causes = new Map(snapshots.map((s) => [s.id, s.cause ?? cause]));
    for (const [scope, ids] of groupByTenant(changed)) {
      const [tenantId, mode] = scope.split(' ') as [string, Mode];
      await this.membership.reevaluate(manager, tenantId, mode, ids, undefined, causes);
    }
    return changed.map((c) => c.id);
  }

  /**
   * Rows of import jobs with a `list_id`: each contact joins its list (one
   * insert per list, known live contacts of lists that still exist), with a
   * `list.member_added` for each new member, and the segments whose rules use
   * the list are re-evaluated for them. A contact already a member changes nothing.
   */
  async addImported(manager: EntityManager, members: ImportedMember[]): Promise<void> {
    const byList = new Map<string, ImportedMember[]>();
    for (const m of members) {
      const key = `${m.tenant_id} ${m.mode} ${m.list_id}`;
      if (!byList.has(key)) byList.set(key, []);
      byList.get(key)!.push(m);
    }
    for (const group of byList.values()) {
      const { tenant_id: tenantId, mode, list_id: listId } = group[0]!;
      const scope = { tenantId, mode };
      // A list deleted since gains no one.
      if (!(await this.lists.existingIds(manager, scope, [listId])).size) continue;
      // Locked in id order, as every membership writer does (see MembershipService).
      const known = await this.contacts.lock(manager, scope, [...new Set(group.map((g) => g.contact_id))], 'update', 'live');
      const added = (await this.lists.addMembers(manager, scope, listId, known)).map((contact_id) => ({ contact_id }));
      if (!added.length) continue;
      const appended = await this.outbox.append(
        manager,
        added.map((a) => ({ type: 'list.member_added' as const, tenant_id: tenantId, mode, key: a.contact_id, data: { list_id: listId, contact_id: a.contact_id } })),
      );
      const causes = new Map(appended.map((e) => [(e.data as { contact_id: string }).contact_id, { type: e.type, event_id: e.id }]));
      await this.membership.reevaluate(
        manager,
        tenantId,
        mode,
        added.map((a) => a.contact_id),
        (s) => s.list_refs.includes(listId),
        causes,
      );
    }
  }

  /**
   * A merge: the merged contacts' list memberships (with `list.member_added`
   * for the lists the primary was not in yet) and activities move to the
   * primary. The `contact.deleted` events that follow on the same partition
   * then find nothing of theirs left to drop; the primary's
   * `contact.updated` re-evaluates its segments.
   */
  async absorb(manager: EntityManager, tenantId: string, mode: Mode, primaryId: string, mergedIds: string[]): Promise<void> {
    const scope: TenantScope = { tenantId, mode };
    const added = await this.lists.absorbMembers(manager, scope, primaryId, mergedIds);
    await this.contacts.moveActivities(manager, scope, primaryId, mergedIds);
    await this.outbox.append(
      manager,
      added.map((listId) => ({
        type: 'list.member_added' as const,
        tenant_id: tenantId,
        mode,
        key: primaryId,
        data: { list_id: listId, contact_id: primaryId },
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
    const scope: TenantScope = { tenantId, mode };
    if (!(await this.contacts.erase(manager, scope, contactId, version))) return false;
    const lists = await this.lists.removeContact(manager, scope, contactId);
    await this.outbox.append(
      manager,
      lists.map((listId) => ({
        type: 'list.member_removed' as const,
        tenant_id: tenantId,
        mode,
        key: contactId,
        data: { list_id: listId, contact_id: contactId },
      })),
    );
    await this.membership.removeContact(manager, tenantId, mode, contactId, cause);
    return true;
  }

  /** Stores activities (idempotent on activity id) and re-evaluates their contacts. */
  async recordActivities(manager: EntityManager, activities: CausedActivity[]): Promise<void> {
    if (!activities.length) return;
    const causes = new Map(activities.map((a) => [a.contact_id, a.cause ?? { type: 'snapshot' }]));
    const inserted = await this.contacts.insertActivities(
      manager,
      activities.map(({ cause: _cause, ...activity }) => activity),
    );
    for (const [scope, ids] of groupByTenant(inserted)) {
      const [tenantId, mode] = scope.split(' ') as [string, Mode];
      const locked = await this.contacts.lock(manager, { tenantId, mode }, [...new Set(ids)], 'update', 'live');
      await this.membership.reevaluate(manager, tenantId, mode, locked, undefined, causes);
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

function groupByTenant(rows: ContactKey[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const key = `${row.tenant_id} ${row.mode}`;
    const ids = groups.get(key);
    if (ids) ids.push(row.id);
    else groups.set(key, [row.id]);
  }
  return groups;
}
