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
import { Conflict, keysetPage, NotFound, OutboxWriter, Paged, pageWindow, ValidationFailed, type NewEvent } from '@sigil/platform';
import { CONTACT_COLUMNS } from '../contacts/contact-list.query';
import { snapshotOf, type ContactRow } from '../contacts/contact.entity';
import { scopeOf } from '../contacts/contacts.service';
import { CustomFieldAggregates } from './custom-field-aggregates';
import { CustomFieldDefinitions, DEFINITION_COLUMNS, definitionView, type DefinitionRow } from './custom-field-definitions';

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
  ) {}

  async create(ctx: RequestContext, req: CreateCustomFieldRequest): Promise<CustomFieldView> {
    const now = new Date();
    return this.dataSource.transaction(async (m) => {
      const rows: DefinitionRow[] = await m.query(
        `INSERT INTO custom_fields (tenant_id, mode, key, label, type, options, required, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (tenant_id, mode, key) DO NOTHING
         RETURNING ${DEFINITION_COLUMNS}`,
        [ctx.tenant_id, ctx.mode, req.key, req.label, req.type, req.options ?? null, req.required ?? false, now],
      );
      if (!rows[0]) throw new Conflict(`A custom field with key '${req.key}' already exists.`, { existing_key: req.key });
      await this.outbox.append(m, [fieldEvent(ctx, 'custom_field.created', rows[0])]);
      return definitionView(rows[0]);
    });
  }

  async list(ctx: RequestContext, query: ListCustomFieldsQuery): Promise<Paged<CustomFieldView>> {
    // Keys are unique per tenant and mode: the key alone is the position. Cursor paging only (no `page`).
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isFieldKey);
    const rows: DefinitionRow[] = await this.dataSource.query(
      `SELECT ${DEFINITION_COLUMNS} FROM custom_fields WHERE tenant_id = $1 AND mode = $2 AND key > $3 ORDER BY key LIMIT $4`,
      [ctx.tenant_id, ctx.mode, window.after ?? '', window.limit + 1],
    );
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
      if (!hasOptions && req.options) throw new ValidationFailed([{ field: 'options', code: 'invalid', message: `a ${type} field has no options` }]);
      const options = hasOptions ? (req.options ?? current.options) : null;
      if (hasOptions && !options) throw new ValidationFailed([{ field: 'options', code: 'required', message: `a ${type} field needs options` }]);

      if (type !== current.type && (await this.aggregates.hasValues(m, scope, k))) {
        throw new Conflict(`The type of '${k}' cannot change while contacts have values for it.`);
      }
      if (type === current.type && hasOptions && current.options) {
        const dropped = current.options.filter((o) => !options!.includes(o));
        const inUse = dropped.length ? await this.aggregates.optionsInUse(m, scope, k, dropped) : [];
        if (inUse.length) throw new Conflict(`Options still used by contacts cannot be removed: ${inUse.join(', ')}.`, { options_in_use: inUse });
      }
      // TypeORM answers UPDATE … RETURNING as [rows, count].
      const [rows]: [DefinitionRow[], number] = await m.query(
        `UPDATE custom_fields SET label = $4, type = $5, options = $6, required = $7, updated_at = $8
         WHERE tenant_id = $1 AND mode = $2 AND key = $3
         RETURNING ${DEFINITION_COLUMNS}`,
        [scope.tenantId, scope.mode, k, req.label ?? current.label, type, options, req.required ?? current.required, new Date()],
      );
      await this.outbox.append(m, [{ ...fieldEvent(ctx, 'custom_field.updated', rows[0]!), previous: { ...fieldSnapshot(current) } }]);
      return definitionView(rows[0]!);
    });
  }

  async delete(ctx: RequestContext, key: unknown): Promise<void> {
    const k = keyOrNotFound(key);
    const scope = scopeOf(ctx);
    await this.dataSource.transaction(async (m) => {
      const current = await this.definitions.find(m, scope, k, true);
      if (!current) throw new NotFound('custom field', k);
      const now = new Date();
      const [changed]: [ContactRow[], number] = await m.query(
        `UPDATE contacts c SET custom_fields = c.custom_fields - $3::text, version = c.version + 1, updated_at = $4,
                sync_xid = pg_current_xact_id()
         WHERE c.tenant_id = $1 AND c.mode = $2 AND c.id IN (
           SELECT v.contact_id FROM custom_field_values v WHERE v.tenant_id = $1 AND v.mode = $2 AND v.field_key = $3)
         RETURNING ${CONTACT_COLUMNS}`,
        [scope.tenantId, scope.mode, k, now],
      );
      await m.query(`DELETE FROM custom_field_values WHERE tenant_id = $1 AND mode = $2 AND field_key = $3`, [scope.tenantId, scope.mode, k]);
      await m.query(`DELETE FROM custom_fields WHERE tenant_id = $1 AND mode = $2 AND key = $3`, [scope.tenantId, scope.mode, k]);
      await this.outbox.append(m, [
        { type: 'custom_field.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: k, data: { key: k }, previous: { ...fieldSnapshot(current) } },
      ]);
      for (let i = 0; i < changed.length; i += EVENT_CHUNK) {
        const events = changed.slice(i, i + EVENT_CHUNK).map(
          (row): NewEvent => ({
            type: 'contact.updated',
            tenant_id: ctx.tenant_id,
            mode: ctx.mode,
            key: row.id,
            data: { contact: snapshotOf(row), changed: [`custom_fields.${k}`] },
          }),
        );
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
