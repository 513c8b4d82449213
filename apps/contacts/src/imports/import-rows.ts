/**
 * From a file record to a contact request, for import jobs: which column
 * fills which field (the mapping, resolved once against the CSV header and
 * the custom field definitions), text turned into the field's type (CSV has
 * only text), and every problem of one row as that row's error — never an
 * exception that would fail the job.
 */
import { type CreateContact, type ImportOptions, type CustomFieldType } from '@sigil/contracts';
import { decodeField, issuesToDetails, type FileRecord } from '@sigil/platform';
import type { ErrorDetail } from '@sigil/contracts';
import type { Definitions } from '../custom-fields/custom-field-values';
import { parseContact } from '../contacts/contact-fast-check';

export interface MappedColumn {
  column: string;
  /** CSV: position in the header. */
  index: number;
  target: string;
  /** Set for `custom_fields.<key>` targets. */
  customType?: CustomFieldType;
}

export interface RowPlan {
  format: ImportOptions['format'];
  columns: MappedColumn[];
  /** CSV: every row must have this many cells. */
  width: number;
}

export interface RowProblem {
  code: string;
  reason: string;
}

/** Problems of the mapping itself, by `mapping.<column>` (a 400 before any row is read). */
export function mappingProblems(options: ImportOptions, header: readonly string[] | null, defs: Definitions): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const [column, target] of Object.entries(options.mapping)) {
    const field = `mapping.${column}`;
    if (target.startsWith('custom_fields.') && !defs.has(target.slice('custom_fields.'.length))) {
      details.push({ field, code: 'unknown_field', message: `${target} is not a defined custom field` });
    }
    if (header) {
      // Header cells are trimmed (the gateway's staging), so the column is too: " Email" maps the cell "Email".
      const found = header.filter((h) => h === column.trim()).length;
      if (found === 0) details.push({ field, code: 'invalid', message: `the file has no column '${column}'` });
      if (found > 1) details.push({ field, code: 'invalid', message: `the file has ${found} columns named '${column}'` });
    }
  }
  return details;
}

export function planRows(options: ImportOptions, header: readonly string[], defs: Definitions): RowPlan {
  const columns = Object.entries(options.mapping).map(([column, target]) => ({
    column,
    index: header.indexOf(column.trim()),
    target,
    customType: target.startsWith('custom_fields.') ? defs.get(target.slice('custom_fields.'.length))?.type : undefined,
  }));
  return { format: options.format, columns, width: header.length };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/** Text as the field's type; text that does not fit stays text, so validation names the field and the expected type. */
export function coerce(target: string, customType: CustomFieldType | undefined, text: string): unknown {
  if (target === 'tags') return splitList(text);
  switch (customType) {
    case 'number': {
      const t = text.trim();
      return NUMBER.test(t) ? Number(t) : text;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : text;
    }
    case 'multi_select':
      return splitList(text);
    default:
      return text;
  }
}

/** Tags and multi-select options in one cell: separated by `;` or `,`. */
function splitList(text: string): string[] {
  return text
    .split(/[;,]/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The contact request of one record, or why the record cannot be one. */
export function rowRequest(plan: RowPlan, record: FileRecord): { req: CreateContact } | RowProblem {
  if (record.error) return { code: 'malformed_row', reason: record.error };
  const input: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  const put = (col: MappedColumn, value: unknown) => {
    if (col.target.startsWith('custom_fields.')) custom[col.target.slice('custom_fields.'.length)] = value;
    else input[col.target] = value;
  };

  if (plan.format === 'csv') {
    if (record.fields.length !== plan.width) {
      return { code: 'malformed_row', reason: `expected ${plan.width} columns, found ${record.fields.length}` };
    }
    for (const col of plan.columns) {
      const text = decodeField(record.fields[col.index]!);
      if (text === undefined) return { code: 'invalid_utf8', reason: `column '${col.column}' is not valid UTF-8` };
      if (text === '') continue;
      put(col, coerce(col.target, col.customType, text));
    }
  } else {
    const text = decodeField(record.fields[0]!);
    if (text === undefined) return { code: 'invalid_utf8', reason: 'the line is not valid UTF-8' };
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return { code: 'malformed_row', reason: 'the line is not valid JSON' };
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { code: 'malformed_row', reason: 'the line is not a JSON object' };
    const row = obj as Record<string, unknown>;
    for (const col of plan.columns) {
      if (!Object.prototype.hasOwnProperty.call(row, col.column)) continue;
      const value = row[col.column];
      if (value === undefined || value === '') continue;
      put(col, typeof value === 'string' ? coerce(col.target, col.customType, value) : value);
    }
  }

  let anyCustom = false;
  for (const _ in custom) {
    anyCustom = true;
    break;
  }
  if (anyCustom) input['custom_fields'] = custom;
  // The hand check accepts what the schema accepts (contact-fast-check.ts); zod runs only for a row it does not, and gives its error.
  const parsed = parseContact(input);
  if (!parsed.success) return { code: 'validation_failed', reason: describe(issuesToDetails(parsed.error.issues)) };
  return { req: parsed.data };
}

/** One line of an error report from validation details. */
export function describe(details: readonly ErrorDetail[]): string {
  return details.map((d) => `${d.field}: ${d.message}`).join('; ');
}
