/**
 * Rows into PostgreSQL by `COPY … FROM STDIN (FORMAT csv)`, for the bulk
 * writers of import jobs: COPY streams rows with no per-row parsing of a
 * JSON parameter and no statement planning per batch. The rows go into a
 * temporary table dropped at commit (`ON COMMIT DROP`: nothing outlives the
 * batch, nothing leaks to other users of the pooled connection), from which
 * one set-based statement writes the real table, so conflicts, RETURNING and
 * `sync_xid` work exactly as in the JSON-parameter path.
 *
 * CSV (not COPY's text format) because its quoting is simple and total:
 * every non-null value is quoted with `"` doubled inside; NULL is an empty
 * unquoted field. Text arrays are written as array literals.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

export type CopyValue = string | number | boolean | null | readonly string[];

/** Rows per chunk handed to the COPY stream (a few hundred KB). */
const ROWS_PER_CHUNK = 500;
let tables = 0;

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

/**
 * Creates a temporary table of `definition` (dropped when the transaction
 * ends), copies `rows` into it and returns its name (unique, so one
 * transaction may stage several sets). Needs the manager of an open
 * transaction: the temporary table lives on its connection.
 */
export async function copyIntoTemp(m: EntityManager, prefix: string, definition: string, rows: readonly (readonly CopyValue[])[]): Promise<string> {
  if (!m.queryRunner?.isTransactionActive) throw new Error('copyIntoTemp needs a transaction');
  const table = `${prefix}_${++tables}`;
  await m.query(`CREATE TEMP TABLE ${table} (${definition}) ON COMMIT DROP`);
  if (!rows.length) return table;
  const client = (await m.queryRunner.connect()) as PoolClient;
  const copy = client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv)`));
  await pipeline(Readable.from(chunks(rows)), copy);
  return table;
}

function* chunks(rows: readonly (readonly CopyValue[])[]): Generator<string> {
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
    let chunk = '';
    for (const row of rows.slice(i, i + ROWS_PER_CHUNK)) chunk += csvLine(row);
    yield chunk;
  }
}
