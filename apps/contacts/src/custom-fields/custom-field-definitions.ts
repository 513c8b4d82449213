/**
 * SQL of the custom field definitions (`custom_fields`, per tenant and mode):
 * the definitions every contact write validates values against, and their
 * CRUD. Every write to the table goes through here; values live with the
 * contact (contacts.repository.ts), their aggregates in custom-field-aggregates.ts.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomFieldType, CustomFieldView } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';
import type { Definitions, FieldDefinition } from './custom-field-values';

export interface DefinitionRow {
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[] | null;
  required: boolean;
  created_at: Date;
  updated_at: Date;
}

/** What a definition says (everything but its timestamps). */
export type DefinitionFields = Pick<DefinitionRow, 'key' | 'label' | 'type' | 'options' | 'required'>;

const DEFINITION_COLUMNS = 'key, label, type, options, required, created_at, updated_at';

/**
 * Every definition of the scope (`$1` tenant, `$2` mode) as one JSON array
 * of `FieldDefinition`s (null when there is none): `load` for a statement
 * that reads something else in the same round trip (ContactWriteReads).
 */
export const DEFINITIONS_JSON_SQL = `(SELECT json_agg(d) FROM (SELECT key, label, type, options, required FROM custom_fields WHERE tenant_id = $1 AND mode = $2) d)`;

/** The definitions as `load` returns them, from `DEFINITIONS_JSON_SQL`'s value. */
export function definitionsOf(rows: FieldDefinition[] | null): Definitions {
  return new Map((rows ?? []).map((r) => [r.key, r]));
}

export function definitionView(row: DefinitionRow): CustomFieldView {
  return {
    key: row.key,
    label: row.label,
    type: row.type,
    options: row.options,
    required: row.required,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

@Injectable()
export class CustomFieldDefinitions {
  /** Every definition of the scope, by key: what values are validated against. */
  async load(m: EntityManager, s: TenantScope): Promise<Definitions> {
    const rows: FieldDefinition[] = await m.query(`SELECT key, label, type, options, required FROM custom_fields WHERE tenant_id = $1 AND mode = $2`, [
      s.tenantId,
      s.mode,
    ]);
    return definitionsOf(rows);
  }

  async find(m: EntityManager, s: TenantScope, key: string, lock = false): Promise<DefinitionRow | undefined> {
    const rows: DefinitionRow[] = await m.query(
      `SELECT ${DEFINITION_COLUMNS} FROM custom_fields WHERE tenant_id = $1 AND mode = $2 AND key = $3 ${lock ? 'FOR UPDATE' : ''}`,
      [s.tenantId, s.mode, key],
    );
    return rows[0];
  }

  /** Definitions by key after `after` (keys are unique per scope: the key alone is the position). */
  async page(m: EntityManager, s: TenantScope, after: string, limit: number): Promise<DefinitionRow[]> {
    return m.query(`SELECT ${DEFINITION_COLUMNS} FROM custom_fields WHERE tenant_id = $1 AND mode = $2 AND key > $3 ORDER BY key LIMIT $4`, [
      s.tenantId,
      s.mode,
      after,
      limit,
    ]);
  }

  /** Inserts the definition; undefined when the key is taken. */
  async insert(m: EntityManager, s: TenantScope, field: DefinitionFields, now: Date): Promise<DefinitionRow | undefined> {
    const rows: DefinitionRow[] = await m.query(
      `INSERT INTO custom_fields (tenant_id, mode, key, label, type, options, required, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (tenant_id, mode, key) DO NOTHING
       RETURNING ${DEFINITION_COLUMNS}`,
      [s.tenantId, s.mode, field.key, field.label, field.type, field.options, field.required, now],
    );
    return rows[0];
  }

  /** Replaces what the definition says (the key stays); undefined when there is none. */
  async update(m: EntityManager, s: TenantScope, field: DefinitionFields, now: Date): Promise<DefinitionRow | undefined> {
    // TypeORM answers UPDATE … RETURNING as [rows, count].
    const [rows]: [DefinitionRow[], number] = await m.query(
      `UPDATE custom_fields SET label = $4, type = $5, options = $6, required = $7, updated_at = $8
       WHERE tenant_id = $1 AND mode = $2 AND key = $3
       RETURNING ${DEFINITION_COLUMNS}`,
      [s.tenantId, s.mode, field.key, field.label, field.type, field.options, field.required, now],
    );
    return rows[0];
  }

  async delete(m: EntityManager, s: TenantScope, key: string): Promise<void> {
    await m.query(`DELETE FROM custom_fields WHERE tenant_id = $1 AND mode = $2 AND key = $3`, [s.tenantId, s.mode, key]);
  }
}
