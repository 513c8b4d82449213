/**
 * `copyInto` (copy-into.ts) on real PostgreSQL: rows written in either COPY
 * format (copy-data.ts) read back exactly as they were, in one piece or many,
 * on the connection of the caller's transaction; without a transaction it
 * refuses before sending anything, and a failed COPY rejects and takes its
 * transaction with it.
 */
import type { DataSource } from 'typeorm';
import { createTestDatabase, dropTestDatabase } from '@sigil/testing';
import { copyText, csvLine } from './copy-data';
import { copyInto } from './copy-into';
import { createDataSource } from './database.module';

let databaseUrl: string;
let dataSource: DataSource;

/** Values each format must carry through: quotes, separators, escapes, line ends, COPY's NULL marker as text, non-ASCII. */
const HOSTILE = ['plain', '', 'say "hi", then\nleave\r\tnow \\ ok', '\\N', 'NULL', '{"json": "a\\"b"}', '🦜 ünï'];

beforeAll(async () => {
  databaseUrl = await createTestDatabase('copyinto');
  dataSource = createDataSource({ url: databaseUrl, poolSize: 4, entities: [], migrations: [], service: 'copy-into-test' });
  await dataSource.initialize();
  await dataSource.query(`CREATE TABLE copied (n int NOT NULL, label text, tags text[])`);
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

beforeEach(() => dataSource.query(`TRUNCATE copied`));

async function rows(): Promise<{ n: number; label: string | null; tags: string[] | null }[]> {
  return dataSource.query(`SELECT n, label, tags FROM copied ORDER BY n`);
}

describe('copyInto', () => {
  it('copies the text format in one piece: every value reads back as it was', async () => {
    const data = HOSTILE.map((label, n) => `${n}\t${copyText(label)}\t\\N\n`).join('');
    await dataSource.transaction((m) => copyInto(m, `COPY copied (n, label, tags) FROM STDIN`, [data]));
    expect(await rows()).toEqual(HOSTILE.map((label, n) => ({ n, label, tags: null })));
  });

  it('copies CSV from a generator of many pieces: values, NULLs and text arrays read back as they were', async () => {
    function* pieces(): Generator<string> {
      for (let n = 0; n < 300; n++) yield csvLine([n, n % 7 === 3 ? null : HOSTILE[n % HOSTILE.length]!, n % 5 === 0 ? null : HOSTILE]);
    }
    await dataSource.transaction((m) => copyInto(m, `COPY copied (n, label, tags) FROM STDIN WITH (FORMAT csv)`, pieces()));
    const read = await rows();
    expect(read).toHaveLength(300);
    for (const r of read) expect(r).toEqual({ n: r.n, label: r.n % 7 === 3 ? null : HOSTILE[r.n % HOSTILE.length], tags: r.n % 5 === 0 ? null : HOSTILE });
  });

  it('runs on the transaction’s connection: a temporary table made just before is there, and the rows commit with the transaction', async () => {
    await dataSource.transaction(async (m) => {
      await m.query(`CREATE TEMP TABLE staged (n int, label text) ON COMMIT DROP`);
      await copyInto(m, `COPY staged FROM STDIN WITH (FORMAT csv)`, [csvLine([1, 'a']), csvLine([2, null])]);
      await m.query(`INSERT INTO copied (n, label) SELECT n, label FROM staged`);
    });
    expect(await rows()).toEqual([
      { n: 1, label: 'a', tags: null },
      { n: 2, label: null, tags: null },
    ]);
  });

  it('refuses a manager without a transaction, before sending anything', async () => {
    await expect(copyInto(dataSource.manager, `COPY copied (n) FROM STDIN`, ['1\n'])).rejects.toThrow(/needs the manager of an open transaction/);
    expect(await rows()).toEqual([]);
  });

  it('rejects a COPY that PostgreSQL refuses, and its transaction writes nothing', async () => {
    const failed = dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO copied (n) VALUES (-1)`);
      await copyInto(m, `COPY copied (n, label) FROM STDIN WITH (FORMAT csv)`, [csvLine([1, 'a']), csvLine(['not a number', 'b'])]);
    });
    await expect(failed).rejects.toThrow(/invalid input syntax for type integer/);
    expect(await rows()).toEqual([]);
    // The pool is still sound afterwards.
    await dataSource.transaction((m) => copyInto(m, `COPY copied (n) FROM STDIN`, ['7\n']));
    expect(await rows()).toEqual([{ n: 7, label: null, tags: null }]);
  });
});
