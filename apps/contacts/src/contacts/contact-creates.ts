/**
 * `POST /v1/contacts` under load: the creates of one turn are written
 * together per tenant and mode (GroupCommit, libs/platform), and each still
 * gets its own answer:
 *
 * - a create whose custom fields do not validate fails alone (400, or 422
 *   when only required ones are missing);
 * - a create that hits a unique key fails alone (409 naming the holder),
 *   including a second create of the same email in the same group
 *   (`INSERT … ON CONFLICT DO NOTHING` keeps the first), exactly as if they
 *   had run one after the other;
 * - its `contact.created` event carries its own request's actor, IP, request
 *   id and trace;
 * - its Idempotency-Key is claimed with the group's; one that another
 *   request holds writes nothing, and one that ends in 400 or 409 is given
 *   back, as its own rolled-back transaction would have.
 *
 * Round trips: a group is two statements — one read (the definitions and the
 * suppressed emails, ContactWriteReads) and one write (the contacts, their
 * value and consent rows and their events with the relay's NOTIFY,
 * `ContactsRepository.insertManyWith`). The write is atomic by itself, so a
 * group without Idempotency-Keys needs no transaction (no BEGIN, no COMMIT:
 * six round trips became two, docs/performance.md, session 8). A group with
 * keys claims them first and may have to give some back after the write:
 * it runs in a transaction.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ContactSnapshot, CreateContact, RequestContext } from '@sigil/contracts';
import {
  claimGroupKeys,
  GroupCommit,
  IdempotencyKeyRecorded,
  OutboxWriter,
  outboxRowsJson,
  releaseGroupKeys,
  type GroupItem,
  type GroupOutcome,
  type TenantScope,
} from '@sigil/platform';
import { actorOf, consentOf } from '../consent/consent-changes';
import { customFieldsRefusal, valueRows } from '../custom-fields/custom-field-values';
import { newContact } from './contact-changes';
import { conflictOf } from './contact-conflicts';
import { ContactWriteReads } from './contact-write-reads';
import { ContactsRepository } from './contacts.repository';

@Injectable()
export class ContactCreates {
  private readonly group: GroupCommit<CreateContact, ContactSnapshot>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly reads: ContactWriteReads,
  ) {
    this.group = new GroupCommit(dataSource, (m, scope, items) => this.createAll(m, scope, items), { writerTransacts: true });
  }

  /** Creates one contact, with the other creates of this turn of its tenant and mode. */
  create(ctx: RequestContext, req: CreateContact): Promise<ContactSnapshot> {
    return this.group.submit(ctx, req);
  }

  /** `m` is the data source's manager (autocommit): a transaction only when keys are claimed. */
  private createAll(m: EntityManager, scope: TenantScope, items: GroupItem<CreateContact>[]): Promise<GroupOutcome<ContactSnapshot>[]> {
    if (items.some((i) => i.idempotency)) return this.dataSource.transaction((tx) => this.write(tx, scope, items, true));
    return this.write(m, scope, items, false);
  }

  private async write(m: EntityManager, scope: TenantScope, items: GroupItem<CreateContact>[], keyed: boolean): Promise<GroupOutcome<ContactSnapshot>[]> {
    const outcomes: GroupOutcome<ContactSnapshot>[] = new Array(items.length);
    const { defs, suppressed } = await this.reads.load(
      m,
      scope,
      items.map((i) => i.input.email),
    );
    const now = new Date();
    let valid: { at: number; contact: ContactSnapshot }[] = [];
    items.forEach((item, at) => {
      const { contact, details } = newContact(item.input, defs, now);
      if (details.length) outcomes[at] = { error: customFieldsRefusal(details).error };
      else valid.push({ at, contact });
    });
    if (keyed) {
      const taken = await claimGroupKeys(
        m,
        valid.map(({ at }) => items[at]!),
      );
      for (const { at } of valid) if (taken.has(items[at]!)) outcomes[at] = { error: new IdempotencyKeyRecorded() };
      valid = valid.filter(({ at }) => !taken.has(items[at]!));
    }
    if (!valid.length) return outcomes;

    for (const { contact } of valid) contact.suppressed = suppressed.has(contact.email);
    // Each create's event is prepared in its own request's context; rows of a create that then hits a unique key are not written.
    const events = valid.flatMap(({ at, contact }) => {
      const { ctx, inContext } = items[at]!;
      return inContext(() => this.outbox.prepare([{ type: 'contact.created', tenant_id: ctx.tenant_id, mode: ctx.mode, key: contact.id, data: { contact } }]));
    });
    // A status given explicitly is a consent fact worth keeping; the default is not.
    const consent = valid
      .filter(({ at }) => items[at]!.input.subscription_status)
      .flatMap(({ at, contact }) => {
        const { ctx } = items[at]!;
        return consentOf(ctx, [{ before: null, after: contact }], { source: 'api', ip: null, actor: actorOf(ctx) }).rows;
      });
    const inserted = await this.contacts.insertManyWith(
      m,
      scope,
      valid.map((v) => v.contact),
      {
        values: valid.flatMap((v) => valueRows(v.contact.id, v.contact.custom_fields, defs)),
        consent,
        events: outboxRowsJson(events),
      },
    );
    const refused = valid.filter((v) => !inserted.has(v.contact.id));
    for (const { at, contact } of refused) outcomes[at] = { error: await conflictOf(this.contacts, m, scope, contact) };
    if (keyed) {
      await releaseGroupKeys(
        m,
        refused.map(({ at }) => items[at]!),
      );
    }
    for (const { at, contact } of valid) if (inserted.has(contact.id)) outcomes[at] = { value: contact };
    return outcomes;
  }
}
