/**
 * Batch upsert by email (`POST /v1/contacts/batch`): up to 1 000 rows in one
 * transaction and a fixed number of statements whatever the row count. Each
 * row is validated on its own, so a bad row gets an error result and the good
 * ones are still written; one event per contact that actually changed.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type BatchUpsertRequest,
  CreateContactSchema,
  MAX_BATCH_ROWS,
  type BatchRowError,
  type BatchRowResult,
  type BatchUpsertReply,
  type ContactSnapshot,
  type CreateContact,
  type RequestContext,
} from '@sigil/contracts';
import { DomainError, issuesToDetails, OutboxWriter, type NewEvent } from '@sigil/platform';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { valueRows, type Definitions } from '../custom-fields/custom-field-values';
import { applyUpdate, newContact } from './contact-changes';
import { snapshotOf } from './contact.entity';
import { ContactsRepository } from './contacts.repository';
import { scopeOf } from './contacts.service';

export interface ValidRow {
  index: number;
  req: CreateContact;
}

export interface WriteOptions {
  mode: 'upsert' | 'create' | 'update';
  addTags?: readonly string[];
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
    private readonly definitions: CustomFieldDefinitions,
  ) {}

  async upsert(ctx: RequestContext, req: BatchUpsertRequest): Promise<BatchUpsertReply> {
    const raw = req.contacts;
    if (raw.length > MAX_BATCH_ROWS) throw new PayloadTooLarge(MAX_BATCH_ROWS);
    const results: BatchRowResult[] = raw.map((_, index) => ({ index, status: 'error' }));
    const valid = this.validateShapes(raw, results);
    const { unchanged } = await this.dataSource.transaction((m) => this.writeRows(m, ctx, valid, results, { mode: 'upsert' }));

    const count = (status: BatchRowResult['status']) => results.filter((r) => r.status === status).length;
    return { results, created: count('created'), updated: count('updated') - unchanged, unchanged, failed: count('error') };
  }

  /**
   * Writes already shape-checked rows in the caller's transaction with a fixed
   * number of statements, filling `results` (indexes into the caller's rows).
   * `upsert` creates or updates by email; `create` refuses an existing email,
   * `update` a missing one; `addTags` are added to every row's tags. Shared by
   * the batch endpoint and import jobs (one call per import chunk).
   */
  async writeRows(m: EntityManager, ctx: RequestContext, valid: ValidRow[], results: BatchRowResult[], options: WriteOptions): Promise<{ unchanged: number }> {
    const scope = scopeOf(ctx);
    let unchanged = 0;
    const defs = await this.definitions.load(m, scope);
    const now = new Date();
    const events: NewEvent[] = [];
    const updates: ContactSnapshot[] = [];
    const valuesChanged: ContactSnapshot[] = [];
    const event = (e: Omit<NewEvent, 'tenant_id' | 'mode'>) => events.push({ ...e, tenant_id: ctx.tenant_id, mode: ctx.mode } as NewEvent);

    const applyToExisting = (row: ValidRow, current: ContactSnapshot) => {
      if (options.mode === 'create') return fail(results, row.index, 'conflict', `A contact with the email '${current.email}' already exists.`);
      const { next, changed, details } = applyUpdate(current, withTags(row.req, current.tags, options.addTags), defs, now);
      if (details.length) return fail(results, row.index, 'validation_failed', 'The row is invalid.', { details });
      results[row.index] = { index: row.index, status: 'updated', id: current.id };
      if (!next) return void unchanged++;
      updates.push(next);
      if (changed.some((c) => c.startsWith('custom_fields.'))) valuesChanged.push(next);
      event({ type: 'contact.updated', key: next.id, data: { contact: next, changed } });
    };

    const existing = new Map(
      (await this.contacts.findByEmails(m, scope, valid.map((r) => r.req.email), true)).map((r) => [r.email.toLowerCase(), snapshotOf(r)]),
    );
    const creates: { row: ValidRow; contact: ContactSnapshot }[] = [];
    for (const row of valid) {
      const current = existing.get(row.req.email);
      if (current) {
        applyToExisting(row, current);
        continue;
      }
      if (options.mode === 'update') {
        fail(results, row.index, 'not_found', `No contact has the email '${row.req.email}'.`);
        continue;
      }
      const created = newContact(withTags(row.req, [], options.addTags), defs, now);
      if (created.details.length) fail(results, row.index, 'validation_failed', 'The row is invalid.', { details: created.details });
      else creates.push({ row, contact: created.contact });
    }

    // One insertion order (by email) for every batch, so concurrent batches wait on each other instead of deadlocking.
    creates.sort((a, b) => (a.contact.email < b.contact.email ? -1 : a.contact.email > b.contact.email ? 1 : 0));
    const inserted = await this.contacts.insertMany(m, scope, creates.map((c) => c.contact));
    const raced: ValidRow[] = [];
    for (const { row, contact } of creates) {
      if (!inserted.has(contact.id)) {
        raced.push(row);
        continue;
      }
      results[row.index] = { index: row.index, status: 'created', id: contact.id };
      event({ type: 'contact.created', key: contact.id, data: { contact } });
    }
    // Created by someone else since we looked: now an update of that contact.
    if (raced.length) {
      const winners = await this.contacts.findByEmails(m, scope, raced.map((r) => r.req.email), true);
      const byEmail = new Map(winners.map((r) => [r.email.toLowerCase(), snapshotOf(r)]));
      for (const row of raced) applyToExisting(row, byEmail.get(row.req.email)!);
    }

    await this.contacts.updateMany(m, scope, updates);
    const createdContacts = creates.filter((c) => inserted.has(c.contact.id)).map((c) => c.contact);
    await this.contacts.replaceValues(m, scope, [], rowsOf(createdContacts, defs), true);
    await this.contacts.replaceValues(m, scope, valuesChanged.map((c) => c.id), rowsOf(valuesChanged, defs));
    await this.outbox.append(m, events);
    return { unchanged };
  }

  private validateShapes(raw: unknown[], results: BatchRowResult[]): ValidRow[] {
    const valid: ValidRow[] = [];
    const firstRowOf = new Map<string, number>();
    raw.forEach((input, index) => {
      const parsed = CreateContactSchema.safeParse(input);
      if (!parsed.success) {
        fail(results, index, 'validation_failed', 'The row is invalid.', { details: issuesToDetails(parsed.error.issues) });
        return;
      }
      const first = firstRowOf.get(parsed.data.email);
      if (first !== undefined) {
        fail(results, index, 'conflict', `The email '${parsed.data.email}' is already in row ${first} of this batch.`);
        return;
      }
      firstRowOf.set(parsed.data.email, index);
      valid.push({ index, req: parsed.data });
    });
    return valid;
  }
}

export function fail(results: BatchRowResult[], index: number, code: string, message: string, extra: Pick<BatchRowError, 'details'> = {}): void {
  results[index] = { index, status: 'error', error: { code, message, ...extra } };
}

function rowsOf(contacts: ContactSnapshot[], defs: Definitions) {
  return contacts.flatMap((c) => valueRows(c.id, c.custom_fields, defs));
}

/** The row's tags (or, for an existing contact without a tags column, its current ones) plus `addTags`. */
function withTags(req: CreateContact, current: string[], addTags: readonly string[] | undefined): CreateContact {
  if (!addTags?.length) return req;
  return { ...req, tags: [...new Set([...(req.tags ?? current), ...addTags])] };
}
