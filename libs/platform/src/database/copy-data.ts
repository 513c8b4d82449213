/**
 * Values written in the data formats of `COPY … FROM STDIN` (copy-into.ts):
 * the text format (`copyText`: the outbox's rows) and CSV (`csvLine`: the
 * contacts import's staged rows, contacts/copy-rows.ts).
 *
 * CSV's quoting is simple and total: every non-null value is quoted with `"`
 * doubled inside; NULL is an empty unquoted field. Text arrays are written
 * as array literals. The text format escapes only `\`, tab, newline and
 * carriage return, which is cheaper for long JSON values.
 */

/** A value for COPY's text format: `\\`, and the tab, newline and carriage return that end fields and rows, escaped. */
export function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value of a CSV row (`csvLine`). */
export type CopyValue = string | number | boolean | null | readonly string[];

/** One CSV field for COPY: NULL unquoted and empty; anything else quoted. */
export function csvField(value: CopyValue): string {
  if (value === null) return '';
  const text = Array.isArray(value) ? pgTextArray(value) : String(value);
  return text.includes('"') ? `"${text.replace(/"/g, '""')}"` : `"${text}"`;
}

const ARRAY_ESCAPED = /[\\"]/;

/** A PostgreSQL text[] literal: every element quoted, `\` and `"` escaped. */
export function pgTextArray(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out += `${i ? ',' : ''}"${ARRAY_ESCAPED.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v}"`;
  }
  return `${out}}`;
}

/** One CSV line (a loop, not map + join: this runs for every row of an import). */
export function csvLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += i ? `,${csvField(values[i]!)}` : csvField(values[i]!);
  return `${line}\n`;
}
