/**
 * Import batches in flight together (ImportRunner, IMPORT_PIPELINE_DEPTH) on
 * real PostgreSQL: a file whose rows move unique keys between contacts across
 * adjacent batches (an email freed by one batch and taken by the next, one
 * created by a batch and claimed by the next, match keys repeated) must give
 * exactly what batches one after another give — same rows created, updated
 * and refused with the same reasons, same contacts, same events.
 */
import type { DataSource } from 'typeorm';
import { CreateContactSchema, type ImportOptions, type RequestContext } from '@sigil/contracts';
import { createDataSource, newId, OutboxWriter, runMigrationsLocked } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase, testContext } from '@sigil/testing';
import { ConsentRepository } from '../consent/consent.repository';
import { ContactWriteReads } from '../contacts/contact-write-reads';
import { ContactsBatchService } from '../contacts/contacts-batch.service';
import { ContactsRepository } from '../contacts/contacts.repository';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { CONTACTS_MIGRATIONS } from '../migrations';
import { ImportRunner } from './import-runner';
import { ImportsRepository } from './imports.repository';

let databaseUrl: string;
let ds: DataSource;
let batch: ContactsBatchService;
const imports = new ImportsRepository();

beforeAll(async () => {
  databaseUrl = await createTestDatabase('contacts_import_pipeline');
  ds = await createDataSource({ url: databaseUrl, poolSize: 8, entities: [], migrations: CONTACTS_MIGRATIONS, service: 'contacts' }).initialize();
  await runMigrationsLocked(ds, 'contacts');
  batch = new ContactsBatchService(ds, new OutboxWriter(), new ContactsRepository(), new ContactWriteReads(), new ConsentRepository());
});

afterAll(async () => {
  await ds?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

const PATTERNS = 12;

/** Contacts present before the import: four per pattern. */
function existing(p: number) {
  return [1, 2, 3, 4].map((i) => ({ external_id: `E${i}.${p}`, email: `c${i}.${p}@x.io` }));
}

/**
 * Rows of one pattern (14, batches of 3; match_on external_id). Expected one after another:
 * 1 C1's email moves (frees c1); 2, 3 new; 4 takes the freed c1 (created); 5 claims C4's email (conflict);
 * 6 new; 7 C2's email moves; 8 repeats N1 (duplicate_row); 9 bad email; 10 takes the freed c2 (created);
 * 11 new; 12 renames C3; 13 repeats row 7's email, in another batch (with the ledger in memory duplicate_row;
 * with the key table, which holds the match key only, the database's conflict); 14 new: 7 created, 3 updated,
 * 4 refused.
 */
function patternRows(p: number): string[] {
  return [
    `E1.${p},moved1.${p}@x.io,A`,
    `N1.${p},n1.${p}@x.io,B`,
    `N2.${p},n2.${p}@x.io,C`,
    `N3.${p},c1.${p}@x.io,D`,
    `N4.${p},c4.${p}@x.io,E`,
    `N5.${p},n5.${p}@x.io,F`,
    `E2.${p},moved2.${p}@x.io,G`,
    `N1.${p},other.${p}@x.io,H`,
    `N6.${p},not-an-email,I`,
    `N7.${p},c2.${p}@x.io,J`,
    `N8.${p},n8.${p}@x.io,K`,
    `E3.${p},c3.${p}@x.io,Renamed`,
    `N9.${p},moved2.${p}@x.io,L`,
    `N10.${p},n10.${p}@x.io,M`,
  ];
}

const HEADER = 'ext,email,name';

type Ledger = 'memory' | 'table';

async function runImport(ctx: RequestContext, depth: number, ledger: Ledger): Promise<string> {
  const scope = { tenantId: ctx.tenant_id, mode: ctx.mode };
  await ds.transaction(async (m) => {
    const rows = Array.from({ length: PATTERNS }, (_, p) => existing(p)).flat();
    const results = rows.map((_, index) => ({ index, status: 'error' as const }));
    const valid = rows.map((r, index) => ({ index, req: CreateContactSchema.parse(r) }));
    await batch.writeRows(m, ctx, valid, results, { mode: 'upsert', matchOn: 'external_id' });
  });
  const lines = Array.from({ length: PATTERNS }, (_, p) => patternRows(p)).flat();
  const file = Buffer.from(`${HEADER}\n${lines.join('\n')}\n`);
  const options: ImportOptions = { format: 'csv', mapping: { ext: 'external_id', email: 'email', name: 'first_name' }, match_on: 'external_id', mode: 'upsert' };
  const id = newId('imp');
  await imports.insert(ds.manager, scope, id, options);
  // Small chunks: batches span them.
  const CHUNK = 97;
  for (let at = 0, seq = 0; at < file.length; at += CHUNK, seq++) {
    await ds.query(`INSERT INTO import_chunks (import_id, seq, file_offset, data) VALUES ($1, $2, $3, $4)`, [id, seq, at, file.subarray(at, at + CHUNK)]);
  }
  await imports.markQueued(ds.manager, id, file.length, lines.length, HEADER.split(','), HEADER.length + 1);
  const runner = new ImportRunner(ds, imports, batch, new CustomFieldDefinitions(), new OutboxWriter(), { IMPORT_BATCH_ROWS: 3, IMPORT_PIPELINE_DEPTH: depth });
  if (ledger === 'table') runner.memoryLedgerMaxKeys = 0;
  expect(await runner.run(id)).toBe('completed');
  return id;
}

/** What the import left, without ids and stamps. */
async function outcome(ctx: RequestContext, id: string) {
  const job = (await ds.query(`SELECT status, rows_processed, created, updated, failed, next_offset FROM imports WHERE id = $1`, [id]))[0];
  const errors = await ds.query(`SELECT row_no, code, reason FROM import_errors WHERE import_id = $1 ORDER BY row_no`, [id]);
  const contacts = await ds.query(`SELECT external_id, email, first_name, version FROM contacts WHERE tenant_id = $1 ORDER BY external_id`, [ctx.tenant_id]);
  const events = await ds.query(
    `SELECT envelope->>'type' AS type, envelope->'data'->'contact'->>'external_id' AS ext, count(*)::int AS n
       FROM outbox_events WHERE envelope->>'tenant_id' = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
    [ctx.tenant_id],
  );
  return { job, errors, contacts, events };
}

describe.each<[Ledger, string, string]>([
  ['memory', 'duplicate_row', "the external_id 'N1.0' is already in row 2"],
  ['table', 'conflict', "the external_id 'N1.0' is already in an earlier row of the file"],
])('import batches in flight together, the key ledger in %s', (ledger, row13, row8) => {
  it('give exactly what batches one after another give, keys moving between adjacent batches included', async () => {
    const [serial, piped] = [testContext(), testContext()];
    const one = await outcome(serial, await runImport(serial, 1, ledger));
    const two = await outcome(piped, await runImport(piped, 2, ledger));

    // One after another, the rows do what the pattern says (so the comparison below compares the right thing).
    const rowsOf = (p: number) => one.errors.filter((e: { row_no: number }) => e.row_no > p * 14 && e.row_no <= (p + 1) * 14);
    expect(rowsOf(0).map((e: { row_no: number; code: string }) => [e.row_no, e.code])).toEqual([
      [5, 'conflict'],
      [8, 'duplicate_row'],
      [9, 'validation_failed'],
      [13, row13],
    ]);
    expect(one.errors.find((e: { row_no: number }) => e.row_no === 8).reason).toBe(row8);
    expect(one.job).toMatchObject({ status: 'completed', rows_processed: PATTERNS * 14, created: PATTERNS * 7, updated: PATTERNS * 3, failed: PATTERNS * 4 });

    expect(two.job).toEqual(one.job);
    expect(two.errors).toEqual(one.errors);
    expect(two.contacts).toEqual(one.contacts);
    expect(two.events).toEqual(one.events);
  });
});

describe('a run resuming mid-file', () => {
  const HEAD = ['A,a@x.io,1', 'B,b@x.io,2', 'Bad,not-an-email,3', 'X,b@x.io,4'];
  const TAIL = ['D,a@x.io,5', 'B,z@x.io,6', 'X,x@x.io,7', 'Bad,bad@x.io,8', 'E,e@x.io,9'];

  /** A job whose first four rows were committed by an earlier run: queued again at the byte after row 4. */
  async function resumedJob(ctx: RequestContext, rowsProcessed: number): Promise<{ id: string; runner: ImportRunner }> {
    const scope = { tenantId: ctx.tenant_id, mode: ctx.mode };
    const head = `${HEADER}\n${HEAD.join('\n')}\n`;
    const file = Buffer.from(`${head}${TAIL.join('\n')}\n`);
    const options: ImportOptions = { format: 'csv', mapping: { ext: 'external_id', email: 'email', name: 'first_name' }, match_on: 'external_id', mode: 'upsert' };
    const id = newId('imp');
    await imports.insert(ds.manager, scope, id, options);
    for (let at = 0, seq = 0; at < file.length; at += 11, seq++) {
      await ds.query(`INSERT INTO import_chunks (import_id, seq, file_offset, data) VALUES ($1, $2, $3, $4)`, [id, seq, at, file.subarray(at, at + 11)]);
    }
    await imports.markQueued(ds.manager, id, file.length, HEAD.length + TAIL.length, HEADER.split(','), HEADER.length + 1);
    await ds.query(`UPDATE imports SET next_offset = $2, rows_processed = $3 WHERE id = $1`, [id, Buffer.byteLength(head), rowsProcessed]);
    const runner = new ImportRunner(ds, imports, batch, new CustomFieldDefinitions(), new OutboxWriter(), { IMPORT_BATCH_ROWS: 2, IMPORT_PIPELINE_DEPTH: 2 });
    return { id, runner };
  }

  it('knows the keys the rows before its position took, and which rows took none', async () => {
    const ctx = testContext();
    const { id, runner } = await resumedJob(ctx, HEAD.length);
    expect(await runner.run(id)).toBe('completed');

    const errors = await ds.query(`SELECT row_no, code, reason FROM import_errors WHERE import_id = $1 ORDER BY row_no`, [id]);
    expect(errors).toEqual([
      { row_no: 5, code: 'duplicate_row', reason: "the email 'a@x.io' is already in row 1" },
      { row_no: 6, code: 'duplicate_row', reason: "the external_id 'B' is already in row 2" },
    ]);
    // Row 3 was refused (a bad email) and row 4 was a duplicate: neither took its external_id, so rows 7 and 8 are imported.
    const contacts = await ds.query(`SELECT external_id, email FROM contacts WHERE tenant_id = $1 ORDER BY external_id`, [ctx.tenant_id]);
    expect(contacts).toEqual([
      { external_id: 'Bad', email: 'bad@x.io' },
      { external_id: 'E', email: 'e@x.io' },
      { external_id: 'X', email: 'x@x.io' },
    ]);
    const job = (await ds.query(`SELECT rows_processed, created, failed FROM imports WHERE id = $1`, [id]))[0];
    expect(job).toEqual({ rows_processed: 9, created: 3, failed: 2 });
  });

  it('refuses to go on when the staged file before its position does not hold the rows the job counted', async () => {
    const { id, runner } = await resumedJob(testContext(), HEAD.length - 1);
    await expect(runner.run(id)).rejects.toThrow('the staged file has 4 rows before byte');
    expect(await ds.query(`SELECT count(*)::int AS n FROM import_errors WHERE import_id = $1`, [id])).toEqual([{ n: 0 }]);
  });
});
