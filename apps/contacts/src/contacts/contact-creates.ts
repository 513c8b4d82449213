/**
 * `POST /v1/contacts` under load: group commit. Creates that arrive in the
 * same turn of the event loop (requests fetched from Kafka together) are
 * written in one transaction per tenant and mode — one definitions read, one
 * suppression check, one INSERT, one outbox statement and one commit for the
 * group instead of for each — and each still gets its own answer:
 *
 * - a create whose custom fields do not validate fails alone (400);
 * - a create that hits a unique key fails alone (409 naming the holder),
 *   including a second create of the same email in the same group
 *   (`INSERT … ON CONFLICT DO NOTHING` keeps the first), exactly as if they
 *   had run one after the other;
 * - its `contact.created` event carries its own request's actor, IP, request
 *   id and trace: events are prepared in the context of the request that
 *   caused them (`AsyncLocalStorage.snapshot()`), then inserted together.
 *
 * A create with an `Idempotency-Key` records its key in the group's
 * transaction (one statement for the group's keys); one whose key an earlier
 * request holds writes nothing and fails with `IdempotencyKeyRecorded`
 * (serveRpc then answers with the earlier request's outcome), without rolling
 * back the others; one that then fails (409) takes its key back, as its own
 * rolled-back transaction would have. If the group's transaction fails
 * (the database is away), every create of the group fails with that error,
 * as each would have alone.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ContactSnapshot, CreateContact, RequestContext } from '@sigil/contracts';
import {
  currentIdempotencyScope,
  forgetIdempotencyKeys,
  IdempotencyKeyRecorded,
  OutboxWriter,
  recordIdempotencyKeys,
  scopeOf,
  ValidationFailed,
  type IdempotencyScope,
  type TenantScope,
} from '@sigil/platform';
import { actorOf, consentOf } from '../consent/consent-changes';
import { ConsentRepository } from '../consent/consent.repository';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { valueRows } from '../custom-fields/custom-field-values';
import { SuppressionsRepository } from '../suppressions/suppressions.repository';
import { newContact } from './contact-changes';
import { conflictOf } from './contact-conflicts';
import { ContactsRepository } from './contacts.repository';

/** The most creates one transaction takes; a bigger group is split. */
const MAX_GROUP = 100;

interface PendingCreate {
  ctx: RequestContext;
  req: CreateContact;
  /** Its Idempotency-Key, recorded by the group's transaction. */
  idempotency: IdempotencyScope | undefined;
  /** Runs a function in the async context of the request (logging context, trace, idempotency scope). */
  inContext: <R>(fn: () => R) => R;
  resolve: (contact: ContactSnapshot) => void;
  reject: (err: unknown) => void;
}

type Outcome = { contact: ContactSnapshot } | { error: unknown };

@Injectable()
export class ContactCreates {
  private pending = new Map<string, PendingCreate[]>();
  private scheduled = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly definitions: CustomFieldDefinitions,
    private readonly suppressions: SuppressionsRepository,
    private readonly consent: ConsentRepository,
  ) {}

  /** Creates one contact, with the other creates of this turn of its tenant and mode. */
  create(ctx: RequestContext, req: CreateContact): Promise<ContactSnapshot> {
    return new Promise<ContactSnapshot>((resolve, reject) => {
      const item: PendingCreate = { ctx, req, idempotency: currentIdempotencyScope(), inContext: AsyncLocalStorage.snapshot(), resolve, reject };
      const key = `${ctx.tenant_id}\u0000${ctx.mode}`;
      const group = this.pending.get(key);
      if (group) group.push(item);
      else this.pending.set(key, [item]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const groups = [...this.pending.values()];
    this.pending = new Map();
    for (const group of groups) {
      for (let i = 0; i < group.length; i += MAX_GROUP) void this.write(group.slice(i, i + MAX_GROUP));
    }
  }

  /** One transaction for these creates (all of one tenant and mode); settles each one's promise. */
  private async write(items: PendingCreate[]): Promise<void> {
    const scope = scopeOf(items[0]!.ctx);
    const outcomes: Outcome[] = new Array(items.length);
    try {
      // A group of one runs in its request's context (spans and logs are its own).
      const run = (m: EntityManager) => this.createAll(m, scope, items, outcomes);
      await (items.length === 1 ? items[0]!.inContext(() => this.dataSource.transaction(run)) : this.dataSource.transaction(run));
    } catch (err) {
      for (const item of items) item.reject(err);
      return;
    }
    items.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if ('contact' in outcome) item.resolve(outcome.contact);
      else item.reject(outcome.error);
    });
  }

  private async createAll(m: EntityManager, scope: TenantScope, items: PendingCreate[], outcomes: Outcome[]): Promise<void> {
    const defs = await this.definitions.load(m, scope);
    const now = new Date();
    const valid: { at: number; contact: ContactSnapshot }[] = [];
    items.forEach((item, at) => {
      const { contact, details } = newContact(item.req, defs, now);
      if (details.length) outcomes[at] = { error: new ValidationFailed(details) };
      else valid.push({ at, contact });
    });
    // Keys of the idempotent creates: one that an earlier request recorded writes nothing.
    const keyed = valid.filter(({ at }) => items[at]!.idempotency).map(({ at }) => items[at]!.idempotency!);
    if (keyed.length) {
      const recorded = await recordIdempotencyKeys(m, keyed);
      for (let i = valid.length - 1; i >= 0; i--) {
        const scope = items[valid[i]!.at]!.idempotency;
        if (scope && !recorded.has(scope)) {
          outcomes[valid[i]!.at] = { error: new IdempotencyKeyRecorded() };
          valid.splice(i, 1);
        }
      }
    }
    if (!valid.length) return;
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
    const created = valid.filter((v) => inserted.has(v.contact.id));
    const refused = valid.filter((v) => !inserted.has(v.contact.id));
    for (const { at, contact } of refused) outcomes[at] = { error: await conflictOf(this.contacts, m, scope, contact) };
    await forgetIdempotencyKeys(
      m,
      refused.flatMap(({ at }) => items[at]!.idempotency ?? []),
    );
    if (!created.length) return;
    await this.contacts.replaceValues(
      m,
      scope,
      created.map((c) => c.contact.id),
      created.flatMap((c) => valueRows(c.contact.id, c.contact.custom_fields, defs)),
      true,
    );
    // A status given explicitly is a consent fact worth keeping; the default is not.
    const consent = created
      .filter(({ at }) => items[at]!.req.subscription_status)
      .flatMap(({ at, contact }) => {
        const { ctx } = items[at]!;
        return consentOf(ctx, [{ before: null, after: contact }], { source: 'api', ip: null, actor: actorOf(ctx) }).rows;
      });
    await this.consent.append(m, scope, consent);
    const events = created.flatMap(({ at, contact }) => {
      const { ctx } = items[at]!;
      return items[at]!.inContext(() => this.outbox.prepare([{ type: 'contact.created', tenant_id: ctx.tenant_id, mode: ctx.mode, key: contact.id, data: { contact } }]));
    });
    await this.outbox.insert(m, events);
    for (const { at, contact } of created) outcomes[at] = { contact };
  }
}
