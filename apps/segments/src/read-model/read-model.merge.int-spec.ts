/**
 * `contact.merged` in the read model: the merged contacts' list memberships
 * and activities move to the primary (with `list.member_added` only for lists
 * it was not in), so the `contact.deleted` events that follow on the same
 * partition drop nothing the merge kept.
 */
import { DataSource } from 'typeorm';
import type { DomainEvent, RequestContext } from '@sigil/contracts';
import { createDataSource, newId, runMigrationsLocked } from '@sigil/platform';
import { contactSnapshot, createTestDatabase, domainEvent, dropTestDatabase, nextVersion, testContext } from '@sigil/testing';
import type { Clock } from '../clock';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { ReadModelService } from './read-model.service';
import { segmentsServices } from '../test/segments-services';

const clock: Clock = { now: () => new Date() };
let url: string;
let ds: DataSource;
let readModel: ReadModelService;

beforeAll(async () => {
  url = await createTestDatabase('segments');
  ds = await createDataSource({ url, poolSize: 5, entities: [], migrations: SEGMENTS_MIGRATIONS, service: 'segments' }).initialize();
  await runMigrationsLocked(ds, 'segments');
  ({ readModel } = segmentsServices(ds, clock));
});

afterAll(async () => {
  await ds?.destroy();
  if (url) await dropTestDatabase(url);
});

async function list(ctx: RequestContext, members: string[]): Promise<string> {
  const id = newId('lst');
  await ds.query(`INSERT INTO lists (tenant_id, mode, id, name) VALUES ($1, $2, $3, 'L')`, [ctx.tenant_id, ctx.mode, id]);
  await ds.query(`INSERT INTO list_members (tenant_id, mode, list_id, contact_id) SELECT $1, $2, $3, unnest($4::text[])`, [ctx.tenant_id, ctx.mode, id, members]);
  return id;
}

async function listsOf(ctx: RequestContext, contactId: string): Promise<string[]> {
  const rows: { list_id: string }[] = await ds.query(`SELECT list_id FROM list_members WHERE tenant_id = $1 AND mode = $2 AND contact_id = $3 ORDER BY list_id`, [
    ctx.tenant_id,
    ctx.mode,
    contactId,
  ]);
  return rows.map((r) => r.list_id);
}

it('moves list memberships and activities of the merged contacts to the primary before their deletion', async () => {
  const ctx = testContext();
  const primary = contactSnapshot();
  const d1 = contactSnapshot();
  const d2 = contactSnapshot();
  await readModel.applyBatch([primary, d1, d2].map((c) => domainEvent('contact.created', ctx, { contact: c })));
  await readModel.applyBatch([
    domainEvent('contact.activity_recorded', ctx, {
      contact_id: d1.id,
      activity: { id: newId('act'), type: 'purchase', occurred_at: new Date().toISOString(), properties: {} },
    }),
  ]);
  const shared = await list(ctx, [primary.id, d1.id]);
  const onlyDup = await list(ctx, [d1.id, d2.id]);
  const untouched = await list(ctx, [d2.id]);

  await readModel.applyBatch([
    domainEvent('contact.merged', ctx, { primary_id: primary.id, merged_ids: [d1.id, d2.id] }),
    domainEvent('contact.deleted', ctx, { id: d1.id, version: 2 }),
    domainEvent('contact.deleted', ctx, { id: d2.id, version: 2 }),
    domainEvent('contact.updated', ctx, { contact: nextVersion(primary, {}), changed: [] }),
  ]);

  expect(await listsOf(ctx, primary.id)).toEqual([shared, onlyDup, untouched].sort());
  expect(await listsOf(ctx, d1.id)).toEqual([]);
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM contact_activities WHERE tenant_id = $1 AND contact_id = $2`, [ctx.tenant_id, primary.id]);
  expect(n).toBe(1);
  const rows: { envelope: DomainEvent }[] = await ds.query(`SELECT envelope FROM outbox_events WHERE envelope->>'tenant_id' = $1 ORDER BY seq`, [ctx.tenant_id]);
  const added = rows.filter((r) => r.envelope.type === 'list.member_added').map((r) => (r.envelope.data as { list_id: string }).list_id);
  expect(added.sort()).toEqual([onlyDup, untouched].sort());
});
