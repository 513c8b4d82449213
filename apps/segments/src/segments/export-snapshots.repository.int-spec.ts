/**
 * ExportSnapshotsRepository on real PostgreSQL: a snapshot begun on one
 * connection is read, unchanged by later commits, on that connection and on
 * another that joins it; both are read-only; a snapshot cannot be joined
 * once its transaction ended, nor by an id of another shape.
 */
import type { DataSource, QueryRunner } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { ExportSnapshotsRepository, isSnapshotId } from './export-snapshots.repository';
import { SegmentsRepository } from './segments.repository';

let db: TestDatabase;
let ds: DataSource;
const snapshots = new ExportSnapshotsRepository();
const segments = new SegmentsRepository();
const runners: QueryRunner[] = [];

beforeAll(async () => {
  db = await TestDatabase.create('segments', SEGMENTS_MIGRATIONS);
  ds = db.dataSource;
});

afterEach(async () => {
  for (const runner of runners.splice(0)) {
    await runner.query('ROLLBACK').catch(() => undefined);
    await runner.release();
  }
});

afterAll(async () => {
  await db?.drop();
});

async function connection(): Promise<QueryRunner> {
  const runner = ds.createQueryRunner();
  runners.push(runner);
  await runner.connect();
  return runner;
}

function insertSegment(scope: TenantScope, name: string) {
  return segments.insert(ds.manager, scope, {
    id: newId('seg'),
    name,
    description: null,
    rules: { tag: 'vip', op: 'has' },
    list_refs: [],
    segment_refs: [],
    include_unsubscribed: false,
    time_window: false,
  });
}

it('reads the database as it was when the snapshot began, on its own connection and on one that joins it', async () => {
  const scope = scopeOf(testContext());
  const before = await insertSegment(scope, 'before');
  const exporter = await connection();
  const id = await snapshots.begin(exporter.manager);
  expect(isSnapshotId(id)).toBe(true);

  // Committed after the snapshot began: neither connection sees it; a new read does.
  const after = await insertSegment(scope, 'after');
  await segments.rename(ds.manager, scope, before.id, { name: 'renamed' });

  const importer = await connection();
  expect(await snapshots.join(importer.manager, id)).toBe(true);
  for (const m of [exporter.manager, importer.manager]) {
    expect(await segments.find(m, scope, after.id)).toBeUndefined();
    expect((await segments.find(m, scope, before.id))?.name).toBe('before');
  }
  expect(await segments.find(ds.manager, scope, after.id)).toMatchObject({ name: 'after' });

  // Read-only, both of them.
  for (const m of [exporter.manager, importer.manager]) {
    await expect(segments.rename(m, scope, before.id, { name: 'written in a snapshot' })).rejects.toThrow(/read-only transaction/);
  }

  await snapshots.end(importer.manager);
  await snapshots.end(exporter.manager);
  expect((await segments.find(ds.manager, scope, before.id))?.name).toBe('renamed');
});

it('refuses to join a snapshot whose transaction ended, and an id of another shape', async () => {
  const exporter = await connection();
  const id = await snapshots.begin(exporter.manager);
  await snapshots.end(exporter.manager);

  const late = await connection();
  expect(await snapshots.join(late.manager, id)).toBe(false);
  await snapshots.end(late.manager);

  const forged = await connection();
  for (const bad of ["x'; DROP TABLE segments; --", `${id}'`, '0000000a-0000001b-1', '']) {
    expect(isSnapshotId(bad)).toBe(false);
    expect(await snapshots.join(forged.manager, bad)).toBe(false);
  }
  // Nothing ran on that connection: it is in no snapshot transaction.
  expect(await forged.query('SHOW transaction_isolation')).toEqual([{ transaction_isolation: 'read committed' }]);
  expect(await ds.query(`SELECT to_regclass('segments') IS NOT NULL AS present`)).toEqual([{ present: true }]);
});
