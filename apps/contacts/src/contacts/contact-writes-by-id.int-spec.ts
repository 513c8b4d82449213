/**
 * The tag changes' reads and writes by id (ContactsRepository.findByIds with
 * its lock, updateMany) on real PostgreSQL, on a contacts table that has not
 * been analysed since its tenant grew — as right after a big batch, before
 * autovacuum's ANALYZE: each statement reaches its rows through
 * `contacts_pkey` (a handful of heap fetches) instead of walking the
 * tenant's whole index, and still touches only its own tenant and mode.
 */
import type { DataSource } from 'typeorm';
import type { ContactSnapshot } from '@sigil/contracts';
import { createDataSource, runMigrationsLocked, type TenantScope } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase } from '@sigil/testing';
import { CONTACTS_MIGRATIONS } from '../migrations';
import { snapshotOf } from './contact.entity';
import { ContactsRepository } from './contacts.repository';

let databaseUrl: string;
let ds: DataSource;
const repo = new ContactsRepository();
const A: TenantScope = { tenantId: 'ten_bypk_a', mode: 'live' };
const B: TenantScope = { tenantId: 'ten_bypk_b', mode: 'live' };
const A_TEST: TenantScope = { tenantId: 'ten_bypk_a', mode: 'test' };
const TENANT_SIZE = 5000;
const id = (n: number) => `con_bypk_${String(n).padStart(6, '0')}`;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('contacts_bypk');
  const migrating = await createDataSource({ url: databaseUrl, poolSize: 2, entities: [], migrations: CONTACTS_MIGRATIONS, service: 'contacts' }).initialize();
  await runMigrationsLocked(migrating, 'contacts');
  await migrating.destroy();
  ds = await createDataSource({ url: databaseUrl, poolSize: 2, entities: [], migrations: [], service: 'contacts' }).initialize();
  // No ANALYZE until the spec says so: the planner has no statistics of the tenant's size.
  await ds.query(`ALTER TABLE contacts SET (autovacuum_enabled = false)`);
  await ds.query(
    `INSERT INTO contacts (id, tenant_id, mode, email, first_name, last_name, tags)
     SELECT 'con_bypk_' || lpad(n::text, 6, '0'), 'ten_bypk_a', 'live', 'c' || n || '@a.example', 'First' || n, 'Last' || n, '{}'
     FROM generate_series(1, ${TENANT_SIZE}) n`,
  );
  await ds.query(`INSERT INTO contacts (id, tenant_id, mode, email, tags) VALUES ('con_bypk_b_1', 'ten_bypk_b', 'live', 'b@b.example', '{}')`);
});

afterAll(async () => {
  await ds?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

/** Every SQL statement the repository sends while `run` runs, with its parameters. */
async function statementsOf(run: (m: DataSource['manager']) => Promise<unknown>): Promise<{ sql: string; params: unknown[] }[]> {
  const seen: { sql: string; params: unknown[] }[] = [];
  await ds
    .transaction(async (m) => {
      const query = m.query.bind(m);
      m.query = (async (sql: string, params?: unknown[]) => {
        seen.push({ sql, params: params ?? [] });
        return query(sql, params);
      }) as typeof m.query;
      await run(m);
      throw new RollBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RollBack)) throw err;
    });
  return seen;
}
class RollBack extends Error {}

/**
 * The plan of a statement, by EXPLAIN (ANALYZE, FORMAT JSON) in a transaction rolled back: its text, and how
 * many rows of `contacts` its scans read (those returned plus those a filter removed).
 */
async function explain(sql: string, params: unknown[]): Promise<{ plan: string; contactsRead: number }> {
  let out = { plan: '', contactsRead: 0 };
  await ds
    .transaction(async (m) => {
      const [row]: { 'QUERY PLAN': { Plan: PlanNode }[] }[] = await m.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      const plan = row!['QUERY PLAN'][0]!.Plan;
      out = { plan: JSON.stringify(plan), contactsRead: rowsRead(plan) };
      throw new RollBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RollBack)) throw err;
    });
  return out;
}
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
function rowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'contacts' && node['Node Type'] !== 'ModifyTable' ? node['Actual Rows'] * node['Actual Loops'] + (node['Rows Removed by Filter'] ?? 0) : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + rowsRead(p), 0);
}

const sample = [17, 301, 302, 1999, 2500, 4000, 4001, 4002, 4999, 12].map(id);

describe('tag changes by id on a table not analysed since its tenant grew', () => {
  it('the planner has no statistics of the tenant (the case this spec is about)', async () => {
    const [stats]: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'contacts' AND attname = 'tenant_id'`);
    expect(stats!.n).toBe(0);
  });

  it('findByIds … FOR UPDATE reaches its rows by primary key, not by a walk of the tenant', async () => {
    const [select] = await statementsOf((m) => repo.findByIds(m, A, sample, true));
    const { plan, contactsRead } = await explain(select!.sql, select!.params);
    expect(plan).toContain('contacts_pkey');
    expect(plan).not.toContain('contacts_tenant_');
    expect(contactsRead).toBe(sample.length); // not the tenant's 5 000
  });

  it('updateMany reaches its rows by primary key, not by a hash of the whole tenant', async () => {
    const rows = await ds.manager.transaction((m) => repo.findByIds(m, A, sample));
    const next = rows.map((r) => ({ ...snapshotOf(r), tags: ['hot'], version: r.version + 1 }));
    const [update] = await statementsOf((m) => repo.updateMany(m, A, next));
    const { plan, contactsRead } = await explain(update!.sql, update!.params);
    expect(plan).toContain('contacts_pkey');
    expect(plan).not.toContain('contacts_tenant_');
    expect(contactsRead).toBe(sample.length);
  });

  it('finds, locks and saves only the contacts of its own tenant and mode, in id order', async () => {
    const asked = [id(9), id(3), 'con_bypk_b_1', id(5)];
    expect((await repo.findByIds(ds.manager, A, asked, false)).map((r) => r.id)).toEqual([id(3), id(5), id(9)]);
    expect((await repo.findByIds(ds.manager, B, asked, false)).map((r) => r.id)).toEqual(['con_bypk_b_1']);
    expect(await repo.findByIds(ds.manager, A_TEST, asked, false)).toEqual([]);

    const [theirs] = await repo.findByIds(ds.manager, B, ['con_bypk_b_1']);
    const [mine] = await repo.findByIds(ds.manager, A, [id(3)]);
    // A's save names B's contact too: only A's is written.
    await ds.transaction((m) =>
      repo.updateMany(m, A, [
        { ...snapshotOf(mine!), tags: ['saved'], version: mine!.version + 1 },
        { ...snapshotOf(theirs!), tags: ['stolen'], version: theirs!.version + 1 } as ContactSnapshot,
      ]),
    );
    expect((await repo.findByIds(ds.manager, A, [id(3)]))[0]).toMatchObject({ tags: ['saved'], version: mine!.version + 1 });
    expect((await repo.findByIds(ds.manager, B, ['con_bypk_b_1']))[0]).toMatchObject({ tags: [], version: theirs!.version });
  });
});
