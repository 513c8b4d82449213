/**
 * `POST /v1/contacts/:id/tags` and `DELETE /v1/contacts/:id/tags` under
 * load: the tag changes of one turn are written by one transaction per
 * tenant and mode (GroupCommit, libs/platform): the group's contacts are
 * locked by one `SELECT … FOR UPDATE` (in id order, as every multi-contact
 * write locks), changed in memory in arrival order — two changes of one
 * contact apply one after the other, each with its own version, answer and
 * `contact.tags_changed` event — and saved by one UPDATE and one outbox
 * statement. A change of an unknown (or another tenant's) contact is a 404
 * for that request alone; a change that changes nothing writes nothing for
 * it and answers the contact as it is. Idempotency-Keys are claimed with
 * the group's, and given back by the requests that wrote nothing.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ContactSnapshot, RequestContext } from '@sigil/contracts';
import {
  claimGroupKeys,
  GroupCommit,
  IdempotencyKeyRecorded,
  NotFound,
  OutboxWriter,
  releaseGroupKeys,
  type GroupItem,
  type GroupOutcome,
  type TenantScope,
  type PreparedEvent,
} from '@sigil/platform';
import { applyTags } from './contact-changes';
import { snapshotOf } from './contact.entity';
import { ContactsRepository } from './contacts.repository';

export interface TagChange {
  id: string;
  tags: string[];
  op: 'add' | 'remove';
}

@Injectable()
export class ContactTagChanges {
  private readonly group: GroupCommit<TagChange, ContactSnapshot>;

  constructor(
    dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
  ) {
    this.group = new GroupCommit(dataSource, (m, scope, items) => this.changeAll(m, scope, items));
  }

  /** Adds or removes tags of one contact, with the other tag changes of this turn of its tenant and mode. */
  change(ctx: RequestContext, change: TagChange): Promise<ContactSnapshot> {
    return this.group.submit(ctx, change);
  }

  private async changeAll(m: EntityManager, scope: TenantScope, items: GroupItem<TagChange>[]): Promise<GroupOutcome<ContactSnapshot>[]> {
    const outcomes: GroupOutcome<ContactSnapshot>[] = new Array(items.length);
    const taken = await claimGroupKeys(m, items);
    const rows = await this.contacts.findByIds(m, scope, [...new Set(items.filter((i) => !taken.has(i)).map((i) => i.input.id))], true);
    const contacts = new Map(rows.map((r) => [r.id, snapshotOf(r)]));
    const changed = new Map<string, ContactSnapshot>();
    const events: PreparedEvent[] = [];
    const wroteNothing: GroupItem<TagChange>[] = [];
    const now = new Date();
    items.forEach((item, at) => {
      const { ctx, input, inContext } = item;
      if (taken.has(item)) {
        outcomes[at] = { error: new IdempotencyKeyRecorded() };
        return;
      }
      const current = contacts.get(input.id);
      if (!current) {
        outcomes[at] = { error: new NotFound('contact', input.id) };
        wroteNothing.push(item);
        return;
      }
      const { next, added, removed } = applyTags(current, input.tags, input.op, now);
      if (!next) {
        outcomes[at] = { value: current };
        wroteNothing.push(item);
        return;
      }
      contacts.set(next.id, next);
      changed.set(next.id, next);
      events.push(
        ...inContext(() =>
          this.outbox.prepare([{ type: 'contact.tags_changed', tenant_id: ctx.tenant_id, mode: ctx.mode, key: next.id, data: { contact: next, added, removed } }]),
        ),
      );
      outcomes[at] = { value: next };
    });
    await releaseGroupKeys(m, wroteNothing);
    await this.contacts.updateMany(m, scope, [...changed.values()]);
    await this.outbox.insert(m, events);
    return outcomes;
  }
}
