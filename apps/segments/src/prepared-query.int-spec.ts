/**
 * queryPrepared on real PostgreSQL: in a transaction a statement becomes a
 * named statement of its connection (prepared once, then reused), outside
 * one it runs unnamed, a connection prepares at most MAX_PER_CONNECTION
 * texts, and a failing statement surfaces as TypeORM's QueryFailedError
 * without leaving the transaction unusable for the caller's own handling.
 */
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { TestDatabase } from '@sigil/testing';
import { MAX_PER_CONNECTION, queryPrepared } from './prepared-query';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await TestDatabase.create('segments', []);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

/** The statements prepared on the manager's connection whose text contains `marker`. */
async function prepared(m: EntityManager, marker: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await m.query(`SELECT name FROM pg_prepared_statements WHERE strpos(statement, $1) > 0`, [marker]);
  return rows.map((r) => r.name);
}

it('prepares a statement once per connection in a transaction and reuses it', async () => {
  await ds.transaction(async (m) => {
    const text = `SELECT $1::int + 1 AS n -- reuse`;
    expect(await queryPrepared<{ n: number }>(m, text, [1])).toEqual([{ n: 2 }]);
    expect(await queryPrepared<{ n: number }>(m, text, [41])).toEqual([{ n: 42 }]);
    expect(await prepared(m, '-- reuse')).toEqual([expect.stringMatching(/^sigil_segments_[0-9a-f]{24}$/)]);
  });
});

it('runs unnamed outside a transaction', async () => {
  expect(await queryPrepared<{ n: number }>(ds.manager, `SELECT $1::int * 2 AS n -- outside`, [21])).toEqual([{ n: 42 }]);
  await ds.transaction(async (m) => expect(await prepared(m, '-- outside')).toEqual([]));
});

it(`prepares at most ${MAX_PER_CONNECTION} texts per connection, and runs the others unnamed`, async () => {
  await ds.transaction(async (m) => {
    for (let i = 0; i < MAX_PER_CONNECTION + 5; i++) {
      expect(await queryPrepared<{ n: number }>(m, `SELECT $1::int AS n -- cap ${i}`, [i])).toEqual([{ n: i }]);
    }
    expect(await prepared(m, '-- cap ')).toHaveLength(MAX_PER_CONNECTION - (await preparedBefore(m)));
  });
});

/** Statements this connection prepared in earlier tests (its pool connection may be the same one). */
async function preparedBefore(m: EntityManager): Promise<number> {
  return (await prepared(m, '-- reuse')).length;
}

it('reports a failing statement as a QueryFailedError', async () => {
  await expect(ds.transaction((m) => queryPrepared(m, `SELECT 1 / $1::int AS n -- failing`, [0]))).rejects.toBeInstanceOf(QueryFailedError);
});
