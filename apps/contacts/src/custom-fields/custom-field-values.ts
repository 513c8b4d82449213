/**
 * Custom field values checked against their definitions (on every contact
 * write), and turned into the typed rows of `custom_field_values` that
 * aggregates and filters scan through indexes.
 */
import type { CustomFieldType, CustomFieldValue, ErrorDetail } from '@sigil/contracts';
import { Unprocessable, ValidationFailed, type DomainError } from '@sigil/platform';

export interface FieldDefinition {
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[] | null;
  required: boolean;
}

export type Definitions = ReadonlyMap<string, FieldDefinition>;

export interface CheckedValues {
  /** Normalised values; `null` marks a value to remove. */
  values: Record<string, CustomFieldValue>;
  details: ErrorDetail[];
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks `input` (already shaped by the contracts schema) against the
 * definitions. On create, every required field must have a value; on update,
 * a required field cannot be cleared.
 */
export function checkCustomFieldValues(input: Record<string, CustomFieldValue>, defs: Definitions, mode: 'create' | 'update'): CheckedValues {
  const values: Record<string, CustomFieldValue> = {};
  const details: ErrorDetail[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const field = `custom_fields.${key}`;
    const def = defs.get(key);
    if (!def) {
      details.push({ field, code: 'unknown_field', message: `No custom field '${key}' is defined.` });
      continue;
    }
    if (raw === null) {
      if (def.required) details.push({ field, code: 'required', message: `'${key}' is required and cannot be cleared.` });
      else values[key] = null;
      continue;
    }
    const normalised = normaliseValue(def, raw);
    if ('error' in normalised) details.push({ field, code: 'invalid', message: normalised.error });
    else values[key] = normalised.value;
  }
  if (mode === 'create') {
    for (const def of defs.values()) {
      if (def.required && (input[def.key] === undefined || input[def.key] === null)) {
        details.push({ field: `custom_fields.${def.key}`, code: 'required', message: `'${def.key}' is required.` });
      }
    }
  }
  return { values, details };
}

/**
 * What a write whose custom field values break the definitions is answered.
 * The document says where keys and values come from (`x-defined-by`), so an
 * undefined key, a wrong type or an unknown option breaks it: 400
 * `validation_failed`, with every detail (the required ones too, so one
 * answer names them all). A required field left out on create, or cleared
 * (`null`), is the one rule a body can break while valid against the
 * document, whose `custom_fields` are optional: 422 `custom_field_required`.
 */
export function customFieldsRefusal(details: ErrorDetail[]): { code: 'custom_field_required' | 'validation_failed'; error: DomainError } {
  if (details.length && details.every((d) => d.code === 'required')) {
    const keys = details.map((d) => `'${d.field.slice('custom_fields.'.length)}'`).join(', ');
    return { code: 'custom_field_required', error: new Unprocessable('custom_field_required', `Required custom field(s) ${keys} need a value.`, details) };
  }
  return { code: 'validation_failed', error: new ValidationFailed(details) };
}

export function normaliseValue(def: FieldDefinition, raw: CustomFieldValue): { value: CustomFieldValue } | { error: string } {
  switch (def.type) {
    case 'text':
      return typeof raw === 'string' ? { value: raw } : { error: 'expected a string' };
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) ? { value: raw } : { error: 'expected a number' };
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { error: 'expected true or false' };
    case 'date': {
      const date = typeof raw === 'string' ? normaliseDate(raw) : null;
      return date ? { value: date } : { error: 'expected a date (YYYY-MM-DD) or an ISO-8601 date-time' };
    }
    case 'select':
      return typeof raw === 'string' && def.options?.includes(raw) ? { value: raw } : { error: `expected one of: ${(def.options ?? []).join(', ')}` };
    case 'multi_select': {
      if (!Array.isArray(raw)) return { error: 'expected an array of options' };
      const unknown = raw.filter((v) => !def.options?.includes(v));
      if (unknown.length) return { error: `unknown option(s) ${unknown.join(', ')}; expected any of: ${(def.options ?? []).join(', ')}` };
      return { value: [...new Set(raw)] };
    }
  }
}

/** `YYYY-MM-DD` stays a date; a date-time becomes UTC ISO-8601. Impossible dates are refused. */
export function normaliseDate(raw: string): string | null {
  const dateOnly = DATE_ONLY.exec(raw);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? raw : null;
  }
  if (!DATE_TIME.test(raw)) return null;
  const t = new Date(raw);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}

/** The typed rows of one value in `custom_field_values`. */
export interface ValueRow {
  contact_id: string;
  field_key: string;
  value_text: string | null;
  value_num: number | null;
  value_date: string | null;
}

export function valueRows(contactId: string, values: Record<string, CustomFieldValue>, defs: Definitions): ValueRow[] {
  const rows: ValueRow[] = [];
  // Literals, not a spread of a template row: this runs for every value of every imported contact.
  const row = (key: string, text: string | null, num: number | null, date: string | null): ValueRow => ({
    contact_id: contactId,
    field_key: key,
    value_text: text,
    value_num: num,
    value_date: date,
  });
  for (const key in values) {
    const value = values[key]!;
    const def = defs.get(key);
    if (!def || value === null) continue;
    switch (def.type) {
      case 'number':
        rows.push(row(key, null, value as number, null));
        break;
      case 'date':
        rows.push(row(key, null, null, DATE_ONLY.test(value as string) ? `${value as string}T00:00:00.000Z` : (value as string)));
        break;
      case 'boolean':
        rows.push(row(key, String(value), null, null));
        break;
      case 'multi_select':
        // One row per option (top values, has_any), plus one marker row per contact whose
        // value_num is the option count: counting contacts is then an index-only count.
        rows.push(row(key, null, (value as string[]).length, null));
        for (const option of value as string[]) rows.push(row(key, option, null, null));
        break;
      default:
        rows.push(row(key, value as string, null, null));
    }
  }
  return rows;
}
