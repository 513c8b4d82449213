/**
 * Rows into PostgreSQL by `COPY … FROM STDIN (FORMAT csv)`, for the bulk
 * writers of import jobs: COPY streams rows with no per-row parsing of a
 * JSON parameter and no statement planning per batch. The rows go into a
 * temporary table dropped at commit (`ON COMMIT DROP`: nothing outlives the
 * batch, nothing leaks to other users of the pooled connection), from which
 * one set-based statement writes the real table, so conflicts, RETURNING and
 * `sync_xid` work exactly as in the JSON-parameter path.
 *
 * CSV (not COPY's text format) because its quoting is simple and total
 * (`csvLine`, libs/platform's copy-data.ts); the COPY itself is the
 * platform's `copyInto`.
 */
import type { EntityManager } from 'typeorm';
import { copyInto, csvLine, type CopyValue } from '@sigil/platform';

/** Rows per chunk handed to the COPY stream (a few hundred KB). */
const ROWS_PER_CHUNK = 500;
let tables = 0;

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
  await copyInto(m, `COPY ${table} FROM STDIN WITH (FORMAT csv)`, chunks(rows));
  return table;
}

function* chunks(rows: readonly (readonly CopyValue[])[]): Generator<string> {
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
    let chunk = '';
    for (const row of rows.slice(i, i + ROWS_PER_CHUNK)) chunk += csvLine(row);
    yield chunk;
  }
}
