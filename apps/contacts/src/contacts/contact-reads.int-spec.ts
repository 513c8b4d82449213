/**
 * The contacts reads by id (ContactsRepository.findById, findByScopedIds:
 * the read behind `GET /v1/contacts/:id`) as named statements on real
 * PostgreSQL (`queryNamed`, libs/platform's named-statement.ts): the same rows as before, each key only in
 * its own tenant and mode; each text prepared once per connection, after
 * which PostgreSQL runs the one-contact read on a generic plan (no planning
 * per read); inside a transaction on the transaction's connection; and a
 * failing statement reported as TypeORM reports one.
 */
import { QueryFailedError, type DataSource } from 'typeorm';
import { createDataSource, queryNamed, runMigrationsLocked, type TenantScope } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase } from '@sigil/testing';
import { CONTACTS_MIGRATIONS } from '../migrations';
import { ContactsRepository, scopedIdKey } from './contacts.repository';

let databaseUrl: string;
let ds: DataSource;
const repo = new ContactsRepository();
const A: TenantScope = { tenantId: 'ten_reads_a', mode: 'live' };
const B: TenantScope = { tenantId: 'ten_reads_b', mode: 'live' };
const A_TEST: TenantScope = { tenantId: 'ten_reads_a', mode: 'test' };
const id = (n: number) => `con_01JD2Q8N6W5Z3Y4X7V9T1R0S${String(n).padStart(2, '0')}`;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('contacts_reads');
  const migrating = await createDataSource({ url: databaseUrl, poolSize: 4, entities: [], migrations: CONTACTS_MIGRATIONS, service: 'contacts' }).initialize();
  await runMigrationsLocked(migrating, 'contacts');
  await migrating.destroy();
  // One connection: every statement of the spec shares it, so its prepared statements can be read back.
  ds = await createDataSource({ url: databaseUrl, poolSize: 1, entities: [], migrations: [], service: 'contacts' }).initialize();
  await ds.query(
    `INSERT INTO contacts (id, tenant_id, mode, email, first_name, tags) VALUES
       ($1, 'ten_reads_a', 'live', 'one@a.example', 'One', '{vip}'), ($2, 'ten_reads_a', 'live', 'two@a.example', 'Two', '{}'),
       ($3, 'ten_reads_b', 'live', 'three@b.example', 'Three', '{}')`,
    [id(1), id(2), id(3)],
  );
  await ds.query(`INSERT INTO suppressions (id, tenant_id, mode, email) VALUES ('sup_reads_1', 'ten_reads_a', 'live', 'two@a.example')`);
});

afterAll(async () => {
  await ds?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

async function prepared(): Promise<Map<string, { generic_plans: number; custom_plans: number; prepare_time: Date }>> {
  const rows: { name: string; generic_plans: string; custom_plans: string; prepare_time: Date }[] = await ds.query(
    `SELECT name, generic_plans, custom_plans, prepare_time FROM pg_prepared_statements WHERE name LIKE 'sigil_contacts_%'`,
  );
  return new Map(rows.map((r) => [r.name, { generic_plans: Number(r.generic_plans), custom_plans: Number(r.custom_plans), prepare_time: r.prepare_time }]));
}

describe('contacts reads by id, as named statements', () => {
  it('find a contact only in its own tenant and mode', async () => {
    expect((await repo.findById(ds.manager, A, id(1)))?.first_name).toBe('One');
    expect((await repo.findById(ds.manager, A, id(1)))?.tags).toEqual(['vip']);
    expect((await repo.findById(ds.manager, A, id(1)))?.suppressed).toBe(false);
    expect((await repo.findById(ds.manager, A, id(2)))?.suppressed).toBe(true);
    expect(await repo.findById(ds.manager, B, id(1))).toBeUndefined();
    expect(await repo.findById(ds.manager, A_TEST, id(1))).toBeUndefined();
    expect(await repo.findById(ds.manager, A, "con_' OR 1=1 --")).toBeUndefined();

    const one = await repo.findByScopedIds(ds.manager, [{ scope: B, id: id(1) }]);
    expect(one.size).toBe(0);
    const keys = [
      { scope: A, id: id(1) },
      { scope: A, id: id(3) }, // B's contact, asked for in A
      { scope: B, id: id(3) },
      { scope: A_TEST, id: id(2) },
    ];
    const found = await repo.findByScopedIds(ds.manager, keys);
    expect([...found.keys()].sort()).toEqual([scopedIdKey(keys[0]!), scopedIdKey(keys[2]!)].sort());
    expect(found.get(scopedIdKey(keys[2]!))?.first_name).toBe('Three');
  });

  it('prepares each text once per connection, and reads one contact on a generic plan after the first few', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await repo.findByScopedIds(ds.manager, [{ scope: A, id: id(2) }])).size).toBe(1);
      expect(
        (
          await repo.findByScopedIds(ds.manager, [
            { scope: A, id: id(1) },
            { scope: B, id: id(3) },
          ])
        ).size,
      ).toBe(2);
    }
    const before = await prepared();
    const byId = before.get('sigil_contacts_by_id');
    expect(byId).toBeDefined();
    expect(byId!.custom_plans).toBeLessThanOrEqual(5);
    expect(byId!.generic_plans).toBeGreaterThanOrEqual(15);
    expect(before.get('sigil_contacts_by_scoped_ids')).toBeDefined();
    await repo.findById(ds.manager, A, id(1));
    const after = await prepared();
    // Not prepared again: the same statement, one more generic execution.
    expect(after.get('sigil_contacts_by_id')!.prepare_time).toEqual(byId!.prepare_time);
    expect(after.get('sigil_contacts_by_id')!.generic_plans).toBe(byId!.generic_plans + 1);
  });

  it('reads and locks on the transaction’s connection', async () => {
    const row = await ds.transaction(async (m) => {
      const locked = await repo.findById(m, A, id(1), true);
      // FOR UPDATE locked the row in this transaction (a row lock gives the transaction an id).
      const [{ locking }]: { locking: boolean }[] = await m.query(`SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS locking`);
      expect(locking).toBe(true);
      return locked;
    });
    expect(row?.id).toBe(id(1));
    expect((await prepared()).has('sigil_contacts_by_id_for_update')).toBe(true);
  });

  it('reports a failing statement as TypeORM does, and the connection goes on', async () => {
    const bad = { name: 'sigil_contacts_test_bad', text: 'SELECT $1::int AS n' };
    await expect(queryNamed(ds.manager, bad, ['not a number'])).rejects.toBeInstanceOf(QueryFailedError);
    expect(await queryNamed(ds.manager, bad, ['7'])).toEqual([{ n: 7 }]);
    expect((await repo.findById(ds.manager, A, id(2)))?.first_name).toBe('Two');
  });
});
