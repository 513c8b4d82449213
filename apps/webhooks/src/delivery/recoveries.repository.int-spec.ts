/**
 * RecoveriesRepository on real PostgreSQL: a recovery is created and read in
 * its endpoint's tenant and mode only (another scope's endpoint id creates
 * nothing, another scope reads nothing); a run's batches put the window's
 * failed and skipped deliveries back in the queue once each, in order, and
 * complete the recovery on a short batch; an expired lease is taken over,
 * a live one is not.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { insertEndpoint, webhooksTestDatabase } from '../test/webhooks-database';
import { RecoveriesRepository } from './recoveries.repository';

let db: TestDatabase;
let ds: DataSource;
const repository = new RecoveriesRepository();

beforeAll(async () => {
  db = await webhooksTestDatabase();
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const MINUTE = 60_000;

/** An endpoint of the scope with a delivery of each status given, created a minute apart from `start` on. */
async function endpointWith(s: TenantScope, statuses: string[], start: number): Promise<{ endpointId: string; ids: string[] }> {
  const endpoint = await insertEndpoint(db, s);
  const ids: string[] = [];
  for (const [i, status] of statuses.entries()) {
    const id = newId('msg');
    await ds.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, status, generation, created_at)
       VALUES ($1, $2, $3, $4, $5, 'contact.created', $6, 3, $7)`,
      [id, s.tenantId, s.mode, endpoint.id, newId('evt'), status, new Date(start + i * MINUTE)],
    );
    ids.push(id);
  }
  return { endpointId: endpoint.id, ids };
}

it("creates and reads a recovery in its endpoint's tenant and mode only", async () => {
  const mine = scopeOf(testContext());
  const start = Date.now() - 60 * MINUTE;
  const { endpointId } = await endpointWith(mine, ['failed', 'skipped', 'delivered', 'failed'], start);
  const recovery = () => ({ id: newId('whr'), endpointId, since: new Date(start).toISOString(), until: null, leaseMs: 30_000 });

  for (const other of [scopeOf(testContext()), { ...mine, mode: 'test' as const }]) {
    expect(await repository.insert(ds.manager, other, recovery())).toBeUndefined();
  }
  const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM webhook_recoveries WHERE endpoint_id = $1`, [endpointId])) as [{ n: number }];
  expect(n).toBe(0);

  const created = await repository.insert(ds.manager, mine, recovery());
  expect(created).toMatchObject({ endpoint_id: endpointId, status: 'running', total: 3, recovered: 0 });
  expect(await repository.find(ds.manager, mine, endpointId, created!.id)).toMatchObject({ id: created!.id, total: 3 });
  expect(await repository.find(ds.manager, scopeOf(testContext()), endpointId, created!.id)).toBeUndefined();
  expect(await repository.find(ds.manager, { ...mine, mode: 'test' }, endpointId, created!.id)).toBeUndefined();
});

it("queues the window's failed and skipped deliveries again in batches, once each, and completes on a short batch", async () => {
  const s = scopeOf(testContext());
  const start = Date.now() - 60 * MINUTE;
  const { endpointId, ids } = await endpointWith(s, ['failed', 'skipped', 'delivered', 'failed', 'failed'], start);
  // The window leaves out the last delivery.
  const created = await repository.insert(ds.manager, s, {
    id: newId('whr'),
    endpointId,
    since: new Date(start).toISOString(),
    until: new Date(start + 4 * MINUTE).toISOString(),
    leaseMs: 30_000,
  });
  expect(created!.total).toBe(3);

  const first = await repository.runBatch(ds.manager, created!.id, 2, 30_000);
  expect(first.status).toBe('running');
  expect(first.jobs.sort((x, y) => x.delivery_id.localeCompare(y.delivery_id))).toEqual(
    [ids[0]!, ids[1]!].sort((x, y) => x.localeCompare(y)).map((id) => ({ delivery_id: id, generation: 4 })),
  );
  const second = await repository.runBatch(ds.manager, created!.id, 2, 30_000);
  expect(second).toEqual({ jobs: [{ delivery_id: ids[3], generation: 4 }], status: 'completed' });
  // Completed: a resumed run finds nothing to do.
  expect(await repository.runBatch(ds.manager, created!.id, 2, 30_000)).toEqual({ jobs: [], status: undefined });

  const rows = (await ds.query(`SELECT id, status, generation FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at`, [endpointId])) as {
    status: string;
    generation: number;
  }[];
  expect(rows.map((r) => [r.status, r.generation])).toEqual([
    ['pending', 4],
    ['pending', 4],
    ['delivered', 3],
    ['pending', 4],
    ['failed', 3],
  ]);
  expect(await repository.find(ds.manager, s, endpointId, created!.id)).toMatchObject({ status: 'completed', recovered: 3 });
});

it('takes over running recoveries whose lease expired, of any tenant, and leaves leased ones alone', async () => {
  const start = Date.now() - 60 * MINUTE;
  const recoveryOf = async (s: TenantScope, leaseMs: number) => {
    const { endpointId } = await endpointWith(s, ['failed'], start);
    const row = await repository.insert(ds.manager, s, { id: newId('whr'), endpointId, since: new Date(start).toISOString(), until: null, leaseMs });
    return row!.id;
  };
  const expiredA = await recoveryOf(scopeOf(testContext()), -1000);
  const expiredB = await recoveryOf(scopeOf(testContext({ mode: 'test' })), -1000);
  const leased = await recoveryOf(scopeOf(testContext()), 60_000);

  const taken = await repository.takeOverAbandoned(ds.manager, 30_000, 100);
  expect(taken).toEqual(expect.arrayContaining([expiredA, expiredB]));
  expect(taken).not.toContain(leased);
  // Leased again by the takeover: not taken twice.
  const again = await repository.takeOverAbandoned(ds.manager, 30_000, 100);
  expect(again).not.toContain(expiredA);
  expect(again).not.toContain(expiredB);
});
