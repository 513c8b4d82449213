/**
 * `POST /v1/contacts/merge`: folds duplicates into a primary contact in one
 * transaction — activities moved, empty fields, tags and custom field values
 * filled, duplicates deleted — with a fixed number of statements whatever
 * the number of activities. Idempotent: a repeat answers the same result.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventPayloads, EventType, MergeContactsReply, MergeContactsRequest, RequestContext } from '@sigil/contracts';
import { Conflict, NotFound, OutboxWriter, type NewEvent, scopeOf } from '@sigil/platform';
import { ActivitiesRepository } from '../activities/activities.repository';
import { actorOf, consentOf } from '../consent/consent-changes';
import { ConsentRepository } from '../consent/consent.repository';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { valueRows } from '../custom-fields/custom-field-values';
import { mergeContacts } from './contact-changes';
import { ContactMergesRepository } from './contact-merges.repository';
import { snapshotOf } from './contact.entity';
import { ContactsRepository } from './contacts.repository';
import { contactIdOrNotFound } from './contacts.service';

@Injectable()
export class ContactMergeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly merges: ContactMergesRepository,
    private readonly activities: ActivitiesRepository,
    private readonly definitions: CustomFieldDefinitions,
    private readonly consent: ConsentRepository,
  ) {}

  async merge(ctx: RequestContext, req: MergeContactsRequest): Promise<MergeContactsReply> {
    const primaryId = contactIdOrNotFound(req.primary_id);
    const duplicateIds = req.duplicate_ids.map(contactIdOrNotFound);
    const scope = scopeOf(ctx);
    return this.dataSource.transaction(async (m) => {
      // Every contact involved, locked in id order: concurrent merges sharing a contact queue up instead of deadlocking.
      const rows = new Map((await this.contacts.findByIds(m, scope, [primaryId, ...duplicateIds], true)).map((r) => [r.id, snapshotOf(r)]));
      // Read after the locks: a merge that deleted one of these has committed, and its record is visible.
      const earlier = await this.merges.mergedInto(m, scope, [primaryId, ...duplicateIds]);
      const primary = rows.get(primaryId);
      if (!primary) throw mergedAway(primaryId, earlier) ?? new NotFound('contact', primaryId);
      const pending = [];
      for (const id of duplicateIds) {
        const duplicate = rows.get(id);
        if (duplicate) pending.push(duplicate);
        else if (earlier.get(id) !== primaryId) throw mergedAway(id, earlier) ?? new NotFound('contact', id);
      }
      if (!pending.length) return { contact: primary, merged_ids: duplicateIds };

      const { next, changed } = mergeContacts(primary, pending, new Date());
      const pendingIds = pending.map((d) => d.id);
      await this.activities.moveToContact(m, scope, primaryId, pendingIds);
      // Deleted before the primary is updated: the external_id it may take from a duplicate must be free first.
      const versions = await this.contacts.deleteMany(m, scope, pendingIds);
      await this.contacts.updateMany(m, scope, [next]);
      if (changed.some((c) => c.startsWith('custom_fields.'))) {
        const defs = await this.definitions.load(m, scope);
        await this.contacts.replaceValues(m, scope, [primaryId], valueRows(primaryId, next.custom_fields, defs));
      }
      await this.merges.record(m, scope, primaryId, pendingIds);
      // The primary took a stricter status from a duplicate: a consent fact of its own, like any other change of status.
      const consent = consentOf(ctx, [{ before: primary.subscription_status, after: next }], { source: 'merge', ip: null, actor: actorOf(ctx) });
      await this.consent.append(m, scope, consent.rows);

      // All keyed by the primary id: one partition, so consumers see the merge before the deletions it explains.
      const event = <T extends EventType>(type: T, data: EventPayloads[T]): NewEvent =>
        ({ type, tenant_id: ctx.tenant_id, mode: ctx.mode, key: primaryId, data }) as NewEvent;
      await this.outbox.append(m, [
        event('contact.merged', { primary_id: primaryId, merged_ids: pendingIds }),
        ...pendingIds.map((id) => event('contact.deleted', { id, version: versions.get(id)! + 1 })),
        event('contact.updated', { contact: next, changed }),
        ...consent.events,
      ]);
      return { contact: next, merged_ids: duplicateIds };
    });
  }
}

function mergedAway(id: string, earlier: Map<string, string>): Conflict | undefined {
  const into = earlier.get(id);
  return into ? new Conflict(`Contact '${id}' was already merged into '${into}'.`, { merged_into: into }) : undefined;
}
