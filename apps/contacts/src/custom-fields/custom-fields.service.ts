/**
 * Custom field definitions (per tenant and mode) and their aggregates. The
 * key is immutable; a type change is refused while values exist; deleting a
 * definition removes its values from every contact (one `contact.updated`
 * each, in the same transaction).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CustomFieldKeySchema,
  DEFAULT_PAGE_LIMIT,
  type CustomFieldAggregate,
  type CustomFieldView,
  type RequestContext,
  type AggregateQuery,
  type CreateCustomFieldRequest,
  type ListCustomFieldsQuery,
  type UpdateCustomFieldRequest,
  type CustomFieldSnapshot,
} from '@sigil/contracts';
import { Conflict, keysetPage, NotFound, OutboxWriter, Paged, pageWindow, ValidationFailed, type NewEvent, scopeOf } from '@sigil/platform';
import { snapshotOf } from '../contacts/contact.entity';
import { ContactsRepository } from '../contacts/contacts.repository';
import { CustomFieldAggregates } from './custom-field-aggregates';
import { CustomFieldDefinitions, definitionView, type DefinitionRow } from './custom-field-definitions';

/** Events of a definition's deletion are written in chunks of this many rows per statement. */
const EVENT_CHUNK = 1000;

function isFieldKey(value: unknown): value is string {
  return CustomFieldKeySchema.safeParse(value).success;
}

function keyOrNotFound(key: unknown): string {
  if (!CustomFieldKeySchema.safeParse(key).success) throw new NotFound('custom field', String(key));
  return key as string;
}

@Injectable()
export class CustomFieldsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly definitions: CustomFieldDefinitions,
    private readonly aggregates: CustomFieldAggregates,
    private readonly contacts: ContactsRepository,
  ) {}

  async create(ctx: RequestContext, req: CreateCustomFieldRequest): Promise<CustomFieldView> {
    const now = new Date();
    return this.dataSource.transaction(async (m) => {
      const field = { key: req.key, label: req.label, type: req.type, options: req.options ?? null, required: req.required ?? false };
      const row = await this.definitions.insert(m, scopeOf(ctx), field, now);
      if (!row) throw new Conflict(`A custom field with key '${req.key}' already exists.`, { existing_key: req.key });
      await this.outbox.append(m, [fieldEvent(ctx, 'custom_field.created', row)]);
      return definitionView(row);
    });
  }

  async list(ctx: RequestContext, query: ListCustomFieldsQuery): Promise<Paged<CustomFieldView>> {
    // Keys are unique per tenant and mode: the key alone is the position. Cursor paging only (no `page`).
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isFieldKey);
    const rows = await this.definitions.page(this.dataSource.manager, scopeOf(ctx), window.after ?? '', window.limit + 1);
    const { items, meta } = keysetPage(rows, { limit: window.limit }, (r) => r.key);
    return new Paged(items.map(definitionView), meta);
  }

  async get(ctx: RequestContext, key: unknown): Promise<CustomFieldView> {
    const k = keyOrNotFound(key);
    const row = await this.definitions.find(this.dataSource.manager, scopeOf(ctx), k);
    if (!row) throw new NotFound('custom field', k);
    return definitionView(row);
  }

  async update(ctx: RequestContext, key: unknown, req: UpdateCustomFieldRequest): Promise<CustomFieldView> {
    const k = keyOrNotFound(key);
    const scope = scopeOf(ctx);
    return this.dataSource.transaction(async (m) => {
      const current = await this.definitions.find(m, scope, k, true);
      if (!current) throw new NotFound('custom field', k);
      const type = req.type ?? current.type;
      const hasOptions = type === 'select' || type === 'multi_select';
      // A request that names the type is judged alone (400, as the document says); without one, against the
      // field as it stands: a 409, since the same request is valid on a field of another type.
      if (!hasOptions && req.options) {
        if (req.type) throw new ValidationFailed([{ field: 'options', code: 'invalid', message: `a ${type} field has no options` }]);
        throw new Conflict(`'${k}' is a ${type} field, which has no options.`);
      }
      const options = hasOptions ? (req.options ?? current.options) : null;
      if (hasOptions && !options) throw new Conflict(`'${k}' is not a select field yet: send its options with the type ${type}.`);

      if (type !== current.type && (await this.aggregates.hasValues(m, scope, k))) {
        throw new Conflict(`The type of '${k}' cannot change while contacts have values for it.`);
      }
      if (type === current.type && hasOptions && current.options) {
        const dropped = current.options.filter((o) => !options!.includes(o));
        const inUse = dropped.length ? await this.aggregates.optionsInUse(m, scope, k, dropped) : [];
        if (inUse.length) throw new Conflict(`Options still used by contacts cannot be removed: ${inUse.join(', ')}.`, { options_in_use: inUse });
      }
      const changes = { key: k, label: req.label ?? current.label, type, options, required: req.required ?? current.required };
      const row = (await this.definitions.update(m, scope, changes, new Date()))!;
      await this.outbox.append(m, [{ ...fieldEvent(ctx, 'custom_field.updated', row), previous: { ...fieldSnapshot(current) } }]);
      return definitionView(row);
    });
  }

  async delete(ctx: RequestContext, key: unknown): Promise<void> {
    const k = keyOrNotFound(key);
    const scope = scopeOf(ctx);
    await this.dataSource.transaction(async (m) => {
      const current = await this.definitions.find(m, scope, k, true);
      if (!current) throw new NotFound('custom field', k);
      const changed = await this.contacts.removeFieldValues(m, scope, k, new Date());
      await this.definitions.delete(m, scope, k);
      await this.outbox.append(m, [
        { type: 'custom_field.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: k, data: { key: k }, previous: { ...fieldSnapshot(current) } },
      ]);
      for (let i = 0; i < changed.length; i += EVENT_CHUNK) {
        const events = changed.slice(i, i + EVENT_CHUNK).map((row): NewEvent => ({
          type: 'contact.updated',
          tenant_id: ctx.tenant_id,
          mode: ctx.mode,
          key: row.id,
          data: { contact: snapshotOf(row), changed: [`custom_fields.${k}`] },
        }));
        await this.outbox.append(m, events);
      }
    });
  }

  async aggregate(ctx: RequestContext, key: unknown, input: AggregateQuery): Promise<CustomFieldAggregate> {
    const k = keyOrNotFound(key);
    const { top } = input;
    const scope = scopeOf(ctx);
    const def = await this.definitions.find(this.dataSource.manager, scope, k);
    if (!def) throw new NotFound('custom field', k);
    return this.aggregates.compute(this.dataSource.manager, scope, def, top ?? 10);
  }
}

function fieldSnapshot(row: DefinitionRow): CustomFieldSnapshot {
  return { key: row.key, label: row.label, type: row.type, options: row.options, required: row.required };
}

function fieldEvent(ctx: RequestContext, type: 'custom_field.created' | 'custom_field.updated', row: DefinitionRow): NewEvent {
  return { type, tenant_id: ctx.tenant_id, mode: ctx.mode, key: row.key, data: { custom_field: fieldSnapshot(row) } };
}
