/**
 * `POST /v1/contacts` under load: the creates of one turn are written by one
 * transaction per tenant and mode (GroupCommit, libs/platform) — one
 * definitions read, one key claim, one suppression check, one INSERT, one
 * outbox statement and one commit for the group instead of for each — and
 * each still gets its own answer:
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
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ContactSnapshot, CreateContact, RequestContext } from '@sigil/contracts';
import {
  claimGroupKeys,
  GroupCommit,
  IdempotencyKeyRecorded,
  OutboxWriter,
  releaseGroupKeys,
  type GroupItem,
  type GroupOutcome,
  type TenantScope,
} from '@sigil/platform';
import { actorOf, consentOf } from '../consent/consent-changes';
import { ConsentRepository } from '../consent/consent.repository';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { customFieldsRefusal, valueRows } from '../custom-fields/custom-field-values';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';
import { newContact } from './contact-changes';
import { conflictOf } from './contact-conflicts';
import { ContactsRepository } from './contacts.repository';

@Injectable()
export class ContactCreates {
  private readonly group: GroupCommit<CreateContact, ContactSnapshot>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly definitions: CustomFieldDefinitions,
    private readonly suppressions: SuppressionsRepository,
    private readonly consent: ConsentRepository,
  ) {
    this.group = new GroupCommit(dataSource, (m, scope, items) => this.createAll(m, scope, items));
  }

  /** Creates one contact, with the other creates of this turn of its tenant and mode. */
  create(ctx: RequestContext, req: CreateContact): Promise<ContactSnapshot> {
    return this.group.submit(ctx, req);
  }

  private async createAll(m: EntityManager, scope: TenantScope, items: GroupItem<CreateContact>[]): Promise<GroupOutcome<ContactSnapshot>[]> {
    const outcomes: GroupOutcome<ContactSnapshot>[] = new Array(items.length);
    const defs = await this.definitions.load(m, scope);
    const now = new Date();
    let valid: { at: number; contact: ContactSnapshot }[] = [];
    items.forEach((item, at) => {
      const { contact, details } = newContact(item.input, defs, now);
      if (details.length) outcomes[at] = { error: customFieldsRefusal(details).error };
      else valid.push({ at, contact });
    });
    const taken = await claimGroupKeys(
      m,
      valid.map(({ at }) => items[at]!),
    );
    for (const { at } of valid) if (taken.has(items[at]!)) outcomes[at] = { error: new IdempotencyKeyRecorded() };
    valid = valid.filter(({ at }) => !taken.has(items[at]!));
    if (!valid.length) return outcomes;

    const suppressed = await this.suppressions.suppressedEmails(
      m,
      scope,
      valid.map((v) => v.contact.email),
    );
    for (const { contact } of valid) contact.suppressed = suppressed.has(contact.email);
    const inserted = await this.contacts.insertMany(
      m,
      scope,
      valid.map((v) => v.contact),
    );
    const refused = valid.filter((v) => !inserted.has(v.contact.id));
    for (const { at, contact } of refused) outcomes[at] = { error: await conflictOf(this.contacts, m, scope, contact) };
    await releaseGroupKeys(
      m,
      refused.map(({ at }) => items[at]!),
    );
    const created = valid.filter((v) => inserted.has(v.contact.id));
    if (!created.length) return outcomes;

    await this.contacts.replaceValues(
      m,
      scope,
      created.map((c) => c.contact.id),
      created.flatMap((c) => valueRows(c.contact.id, c.contact.custom_fields, defs)),
      true,
    );
    // A status given explicitly is a consent fact worth keeping; the default is not.
    const consent = created
      .filter(({ at }) => items[at]!.input.subscription_status)
      .flatMap(({ at, contact }) => {
        const { ctx } = items[at]!;
        return consentOf(ctx, [{ before: null, after: contact }], { source: 'api', ip: null, actor: actorOf(ctx) }).rows;
      });
    await this.consent.append(m, scope, consent);
    const events = created.flatMap(({ at, contact }) => {
      const { ctx, inContext } = items[at]!;
      return inContext(() => this.outbox.prepare([{ type: 'contact.created', tenant_id: ctx.tenant_id, mode: ctx.mode, key: contact.id, data: { contact } }]));
    });
    await this.outbox.insert(m, events);
    for (const { at, contact } of created) outcomes[at] = { value: contact };
    return outcomes;
  }
}
