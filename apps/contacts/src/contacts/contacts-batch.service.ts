/**
 * Batch upsert (`POST /v1/contacts/batch`) by email or by `external_id`
 * (`match_on`): up to 1 000 rows in one transaction and a fixed number of
 * statements whatever the row count. Each row is validated on its own, so a
 * bad row gets an error result and the good ones are still written; one event
 * per contact that actually changed.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type BatchMatchKey,
  type BatchUpsertRequest,
  MAX_BATCH_ROWS,
  type BatchRowError,
  type BatchRowResult,
  type BatchUpsertReply,
  type ContactSnapshot,
  type CreateContact,
  type RequestContext,
  type UpsertContactReply,
} from '@sigil/contracts';
import { Conflict, DomainError, issuesToDetails, OutboxWriter, ValidationFailed, type NewEvent, scopeOf, type TenantScope } from '@sigil/platform';
import { actorOf, consentOf, type StatusChange } from '../consent/consent-changes';
import { ConsentRepository } from '../consent/consent.repository';
import { customFieldsRefusal, valueRows, type Definitions } from '../custom-fields/custom-field-values';
import { applyUpdate, newContact } from './contact-changes';
import { parseContact } from './contact-fast-check';
import { snapshotOf } from './contact.entity';
import type { ContactRow } from './contact.entity';
import { ContactWriteReads } from './contact-write-reads';
import { ContactsRepository } from './contacts.repository';

export interface ValidRow {
  index: number;
  req: CreateContact;
}

export interface WriteOptions {
  mode: 'upsert' | 'create' | 'update';
  matchOn: BatchMatchKey;
  addTags?: readonly string[];
  /** The consent history's `source` for statuses these rows set (default `batch`). */
  consentSource?: string;
  /** New contacts and their value rows go in by COPY (import jobs' large batches); same statements and results otherwise. */
  copy?: boolean;
  /**
   * Called once the rows' contacts are read (matched ones locked, holders of the other key found) and before
   * anything is written, with the matched contacts as they were: an import batch tells the next one which
   * keys it may change (ImportRunner's pipeline).
   */
  afterReads?: (matched: readonly ContactSnapshot[]) => void;
}

export class PayloadTooLarge extends DomainError {
  constructor(max: number) {
    super(413, 'payload_too_large', `A batch holds at most ${max} contacts.`, undefined, { max_rows: max });
  }
}

@Injectable()
export class ContactsBatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly reads: ContactWriteReads,
    private readonly consent: ConsentRepository,
  ) {}

  async upsert(ctx: RequestContext, req: BatchUpsertRequest): Promise<BatchUpsertReply> {
    const raw = req.contacts;
    if (raw.length > MAX_BATCH_ROWS) throw new PayloadTooLarge(MAX_BATCH_ROWS);
    const matchOn: BatchMatchKey = req.match_on ?? 'email';
    const results: BatchRowResult[] = raw.map((_, index) => ({ index, status: 'error' }));
    const valid = this.validateShapes(raw, results, matchOn);

    const { unchanged } = await this.dataSource.transaction((m) => this.writeRows(m, ctx, valid, results, { mode: 'upsert', matchOn }));

    const count = (status: BatchRowResult['status']) => results.filter((r) => r.status === status).length;
    return { results, created: count('created'), updated: count('updated') - unchanged, unchanged, failed: count('error') };
  }

  /**
   * `PUT /v1/contacts/by-external-id/:external_id`: one row of a batch matched
   * on `external_id` (the path's), so create-or-update follows exactly the
   * batch's rules (PATCH semantics for an existing contact; its email may
   * change), but a failing row is the request's error instead of a result.
   */
  async upsertByExternalId(ctx: RequestContext, externalId: string, req: CreateContact): Promise<UpsertContactReply> {
    if (req.external_id != null && req.external_id !== externalId) {
      throw new ValidationFailed([{ field: 'external_id', code: 'invalid', message: 'must be the external_id of the path (or left out)' }]);
    }
    const results: BatchRowResult[] = [{ index: 0, status: 'error' }];
    return this.dataSource.transaction(async (m) => {
      await this.writeRows(m, ctx, [{ index: 0, req: { ...req, external_id: externalId } }], results, { mode: 'upsert', matchOn: 'external_id', consentSource: 'api' });
      const result = results[0]!;
      if (result.status === 'error' || !result.id) throw rowError(result.error);
      const row = await this.contacts.findById(m, scopeOf(ctx), result.id);
      return { contact: snapshotOf(row!), created: result.status === 'created' };
    });
  }

  /**
   * Writes already shape-checked rows in the caller's transaction with a fixed
   * number of statements, filling `results` (indexes into the caller's rows).
   * `upsert` creates or updates by the match key; `create` refuses an existing
   * contact, `update` a missing one; `addTags` are added to every row's tags.
   * Shared by the batch endpoint and import jobs (one call per import batch).
   */
  async writeRows(m: EntityManager, ctx: RequestContext, valid: ValidRow[], results: BatchRowResult[], options: WriteOptions): Promise<{ unchanged: number }> {
    const scope = scopeOf(ctx);
    const matchOn = options.matchOn;
    let unchanged = 0;
    // One round trip for all the rows: the definitions, and which of their emails a suppression of the tenant matches.
    const { defs, suppressed } = await this.reads.load(
      m,
      scope,
      valid.map((r) => r.req.email),
    );
    const now = new Date();
    const events: NewEvent[] = [];
    const updates: ContactSnapshot[] = [];
    const valuesChanged: ContactSnapshot[] = [];
    const statusChanges: StatusChange[] = [];
    // A literal, not a spread of `e`: this runs for every row of an import (the spread's closure was 1.7 % of the contacts process's busy time in session 8's import profile).
    const event = (e: Pick<NewEvent, 'type' | 'key' | 'data'>) =>
      events.push({ type: e.type, key: e.key, data: e.data, tenant_id: ctx.tenant_id, mode: ctx.mode } as NewEvent);

    const applyToExisting = (row: ValidRow, current: ContactSnapshot) => {
      if (options.mode === 'create') return fail(results, row.index, 'conflict', `A contact with this ${matchOn} already exists.`, { existing_id: current.id });
      const { next, changed, details } = applyUpdate(current, withTags(row.req, current.tags, options.addTags), defs, now);
      if (details.length) return fail(results, row.index, customFieldsRefusal(details).code, 'The row is invalid.', { details });
      results[row.index] = { index: row.index, status: 'updated', id: current.id };
      if (!next) return void unchanged++;
      if (changed.includes('email')) {
        next.suppressed = suppressed.has(next.email);
        if (next.suppressed !== current.suppressed) changed.push('suppressed');
      }
      if (changed.includes('subscription_status')) statusChanges.push({ before: current.subscription_status, after: next });
      updates.push(next);
      if (changed.some((c) => c.startsWith('custom_fields.'))) valuesChanged.push(next);
      event({ type: 'contact.updated', key: next.id, data: { contact: next, changed } });
    };

    // The matched contacts, locked; and who holds the other unique key each row claims, so that a row
    // taking another contact's email (or external_id) fails alone instead of failing the whole batch.
    const byKey = (rows: ContactRow[]) => new Map(rows.map((r) => [keyOf(matchOn, r), snapshotOf(r)]));
    const existing = byKey(
      await this.find(
        m,
        scope,
        matchOn,
        valid.map((r) => keyOf(matchOn, r.req)),
        true,
      ),
    );
    const other: BatchMatchKey = matchOn === 'email' ? 'external_id' : 'email';
    const holders = new Map(
      (
        await this.find(
          m,
          scope,
          other,
          valid.map((r) => keyOf(other, r.req)).filter((k): k is string => !!k),
        )
      ).map((r) => [keyOf(other, r), r.id]),
    );
    options.afterReads?.([...existing.values()]);
    const creates: { row: ValidRow; contact: ContactSnapshot }[] = [];
    for (const row of valid) {
      const current = existing.get(keyOf(matchOn, row.req));
      const claimed = keyOf(other, row.req);
      const holder = claimed ? holders.get(claimed) : undefined;
      if (holder && holder !== current?.id) {
        fail(results, row.index, 'conflict', `Another contact already has ${other} '${claimed}'.`, { existing_id: holder });
        continue;
      }
      if (current) {
        applyToExisting(row, current);
        continue;
      }
      if (options.mode === 'update') {
        fail(results, row.index, 'not_found', `No contact has the ${matchOn} '${keyOf(matchOn, row.req)}'.`);
        continue;
      }
      const created = newContact(withTags(row.req, [], options.addTags), defs, now);
      created.contact.suppressed = suppressed.has(created.contact.email);
      if (created.details.length) fail(results, row.index, customFieldsRefusal(created.details).code, 'The row is invalid.', { details: created.details });
      else creates.push({ row, contact: created.contact });
    }

    // One insertion order (by email) for every batch, so concurrent batches wait on each other instead of deadlocking.
    creates.sort((a, b) => (a.contact.email < b.contact.email ? -1 : a.contact.email > b.contact.email ? 1 : 0));
    const newContacts = creates.map((c) => c.contact);
    const inserted = options.copy ? await this.contacts.insertManyCopied(m, scope, newContacts) : await this.contacts.insertMany(m, scope, newContacts);
    const raced: ValidRow[] = [];
    for (const { row, contact } of creates) {
      if (!inserted.has(contact.id)) {
        raced.push(row);
        continue;
      }
      results[row.index] = { index: row.index, status: 'created', id: contact.id };
      event({ type: 'contact.created', key: contact.id, data: { contact } });
      if (row.req.subscription_status) statusChanges.push({ before: null, after: contact });
    }
    // Created by someone else since we looked: now an update of that contact (or, when the
    // concurrent writer took the row's other unique key, a conflict of that row alone).
    if (raced.length) {
      const winners = byKey(
        await this.find(
          m,
          scope,
          matchOn,
          raced.map((r) => keyOf(matchOn, r.req)),
          true,
        ),
      );
      for (const row of raced) {
        const winner = winners.get(keyOf(matchOn, row.req));
        if (winner) applyToExisting(row, winner);
        else fail(results, row.index, 'conflict', `Another contact took this row's ${other} concurrently; retry the row.`);
      }
    }

    await this.contacts.updateMany(m, scope, updates);
    const createdContacts = creates.filter((c) => inserted.has(c.contact.id)).map((c) => c.contact);
    if (options.copy) await this.contacts.insertValuesCopied(m, scope, rowsOf(createdContacts, defs));
    else await this.contacts.replaceValues(m, scope, [], rowsOf(createdContacts, defs), true);
    await this.contacts.replaceValues(
      m,
      scope,
      valuesChanged.map((c) => c.id),
      rowsOf(valuesChanged, defs),
    );
    const consent = consentOf(ctx, statusChanges, { source: options.consentSource ?? 'batch', ip: null, actor: actorOf(ctx) });
    await this.consent.append(m, scope, consent.rows);
    // An import batch's thousands of events by COPY too (OutboxWriter.insertCopied).
    await this.outbox.append(m, [...events, ...consent.events], { copy: options.copy });
    return { unchanged };
  }

  private find(m: EntityManager, scope: TenantScope, on: BatchMatchKey, keys: string[], lock = false): Promise<ContactRow[]> {
    return on === 'email' ? this.contacts.findByEmails(m, scope, keys, lock) : this.contacts.findByExternalIds(m, scope, keys, lock);
  }

  /** Parses each row; a row without the match key, or repeating a unique key of an earlier row, is an error row. */
  private validateShapes(raw: unknown[], results: BatchRowResult[], matchOn: BatchMatchKey): ValidRow[] {
    const valid: ValidRow[] = [];
    const firstRowOf = { email: new Map<string, number>(), external_id: new Map<string, number>() };
    raw.forEach((input, index) => {
      const parsed = parseContact(input);
      if (!parsed.success) {
        fail(results, index, 'validation_failed', 'The row is invalid.', { details: issuesToDetails(parsed.error.issues) });
        return;
      }
      if (!keyOf(matchOn, parsed.data)) {
        const details = [{ field: matchOn, code: 'required', message: `Rows are matched on ${matchOn}: every row needs one.` }];
        fail(results, index, 'validation_failed', 'The row is invalid.', { details });
        return;
      }
      for (const key of ['email', 'external_id'] as const) {
        const value = keyOf(key, parsed.data);
        const first = value ? firstRowOf[key].get(value) : undefined;
        if (first !== undefined) {
          fail(results, index, 'conflict', `The ${key} '${value}' is already in row ${first} of this batch.`);
          return;
        }
      }
      for (const key of ['email', 'external_id'] as const) {
        const value = keyOf(key, parsed.data);
        if (value) firstRowOf[key].set(value, index);
      }
      valid.push({ index, req: parsed.data });
    });
    return valid;
  }
}

/** The value of a unique key of a row or contact (emails compared lower-case), or null. */
export function keyOf(key: BatchMatchKey, c: { email: string; external_id?: string | null }): string {
  return key === 'email' ? c.email.toLowerCase() : (c.external_id ?? '');
}

function fail(results: BatchRowResult[], index: number, code: string, message: string, extra: Pick<BatchRowError, 'details' | 'existing_id'> = {}): void {
  results[index] = { index, status: 'error', error: { code, message, ...extra } };
}

/** A batch row's error as the error of a single-contact request. */
function rowError(error: BatchRowError | undefined): DomainError {
  if (error?.code === 'validation_failed' || error?.code === 'custom_field_required') return customFieldsRefusal(error.details ?? []).error;
  if (error?.code === 'conflict') return new Conflict(error.message, error.existing_id ? { existing_id: error.existing_id } : {});
  return new DomainError(500, 'internal_error', 'The contact could not be written.');
}

/** The row's tags (or, for an existing contact without a tags column, its current ones) plus `addTags`. */
function withTags(req: CreateContact, current: string[], addTags: readonly string[] | undefined): CreateContact {
  if (!addTags?.length) return req;
  return { ...req, tags: [...new Set([...(req.tags ?? current), ...addTags])] };
}

function rowsOf(contacts: ContactSnapshot[], defs: Definitions) {
  return contacts.flatMap((c) => valueRows(c.id, c.custom_fields, defs));
}
