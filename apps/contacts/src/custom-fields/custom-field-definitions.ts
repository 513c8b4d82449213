/** Reads a tenant's custom field definitions (one mode), for validating values on every contact write. */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomFieldType, CustomFieldView } from '@sigil/contracts';
import type { Scope } from '../contacts/contacts.repository';
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

export const DEFINITION_COLUMNS = 'key, label, type, options, required, created_at, updated_at';

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
  async load(m: EntityManager, s: Scope): Promise<Definitions> {
    const rows: FieldDefinition[] = await m.query(
      `SELECT key, label, type, options, required FROM custom_fields WHERE tenant_id = $1 AND mode = $2`,
      [s.tenantId, s.mode],
    );
    return new Map(rows.map((r) => [r.key, r]));
  }

  async find(m: EntityManager, s: Scope, key: string, lock = false): Promise<DefinitionRow | undefined> {
    const rows: DefinitionRow[] = await m.query(
      `SELECT ${DEFINITION_COLUMNS} FROM custom_fields WHERE tenant_id = $1 AND mode = $2 AND key = $3 ${lock ? 'FOR UPDATE' : ''}`,
      [s.tenantId, s.mode, key],
    );
    return rows[0];
  }
}
