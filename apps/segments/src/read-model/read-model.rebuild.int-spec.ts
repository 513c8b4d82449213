/**
 * The read-model rebuild on a database of its own (a rebuild is global):
 * snapshot contacts and activities are applied with the version guard, live
 * state newer than the snapshot is kept, contacts missing from the snapshot
 * are tombstoned, and membership follows with its events.
 */
import { DataSource } from 'typeorm';
import type { DomainEvent, TenantContactSnapshot } from '@sigil/contracts';
import { createDataSource, runMigrationsLocked } from '@sigil/platform';
import { activityOf, contactSnapshot, createTestDatabase, domainEvent, dropTestDatabase, nextVersion, testContext } from '@sigil/testing';
import { systemClock } from '../clock';
import { SegmentBuilder } from '../membership/segment-builder';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { SegmentsService } from '../segments/segments.service';
import { ReadModelRebuilder, type ContactsSnapshotSource } from './read-model.rebuilder';
import { ReadModelService } from './read-model.service';
import { ReadModelRepository } from './read-model.repository';
import { segmentsServices } from '../test/segments-services';

let url: string;
let ds: DataSource;
let readModel: ReadModelService;
let segments: SegmentsService;
let builder: SegmentBuilder;

beforeAll(async () => {
  url = await createTestDatabase('segments');
  ds = await createDataSource({ url, poolSize: 5, entities: [], migrations: SEGMENTS_MIGRATIONS, service: 'segments' }).initialize();
  await runMigrationsLocked(ds, 'segments');
  ({ readModel, builder, segments } = segmentsServices(ds, systemClock, { chunkSize: 100, sweepIntervalMs: 60000 }));
});

afterAll(async () => {
  await ds?.destroy();
  if (url) await dropTestDatabase(url);
});

/** A snapshot source paging a fixed array like the contacts service does (by id). */
function source(contacts: TenantContactSnapshot[], activities: Awaited<ReturnType<ContactsSnapshotSource['activities']>>['activities']): ContactsSnapshotSource {
  const sorted = [...contacts].sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    contacts: async (after, limit) => {
      const page = sorted.filter((c) => after === null || c.id > after).slice(0, limit);
      return { contacts: page, next_after: page.length === limit ? page[page.length - 1]!.id : null };
    },
    activities: async (after, limit) => {
      const page = activities.filter((a) => after === null || a.id > after).slice(0, limit);
      return { activities: page, next_after: page.length === limit ? page[page.length - 1]!.id : null };
    },
  };
}

it('applies the snapshot, keeps newer live state, tombstones the missing, and re-evaluates membership', async () => {
  const ctx = testContext();
  const segment = await segments.create(ctx, { name: 'Logged in', rules: { activity: 'login', op: 'ever' } });
  await builder.buildPending();
  const stale = contactSnapshot({ first_name: 'Gone' }); // deleted upstream while its event was lost
  const live = contactSnapshot({ first_name: 'Live' });
  const liveV2 = nextVersion(live, { first_name: 'Newer' });
  for (const contact of [stale, live]) await readModel.apply(domainEvent('contact.created', ctx, { contact }));
  await readModel.apply(domainEvent('contact.updated', ctx, { contact: liveV2, changed: ['first_name'] }));
  const fresh = contactSnapshot({ first_name: 'Fresh' });
  const scoped = (c: typeof fresh): TenantContactSnapshot => ({ ...c, tenant_id: ctx.tenant_id, mode: ctx.mode });

  const report = await new ReadModelRebuilder(
    ds,
    readModel,
    new ReadModelRepository(),
    source([scoped(fresh), scoped(live)], [{ ...activityOf('login', new Date()), tenant_id: ctx.tenant_id, mode: ctx.mode, contact_id: fresh.id }]),
    1,
  ).run();

  expect(report).toEqual({ contacts_seen: 2, contacts_changed: 1, activities_seen: 1, contacts_tombstoned: 1 });
  const rows: Array<{ id: string; first_name: string | null; deleted: boolean }> = await ds.query(
    `SELECT id, first_name, deleted FROM contacts WHERE tenant_id = $1 ORDER BY id`,
    [ctx.tenant_id],
  );
  expect(rows).toEqual(
    [
      { id: fresh.id, first_name: 'Fresh', deleted: false },
      { id: live.id, first_name: 'Newer', deleted: false },
      { id: stale.id, first_name: null, deleted: true },
    ].sort((a, b) => (a.id < b.id ? -1 : 1)),
  );
  expect((await segments.memberIds(ctx, segment.id, '', 10)).ids).toEqual([fresh.id]);
  const outbox: Array<{ envelope: DomainEvent }> = await ds.query(`SELECT envelope FROM outbox_events WHERE type LIKE 'segment.contact_%' ORDER BY seq`);
  expect(outbox.map((r) => [r.envelope.type, (r.envelope.data as { contact_id: string }).contact_id])).toEqual([['segment.contact_entered', fresh.id]]);

  // Running it again changes nothing.
  const again = await new ReadModelRebuilder(ds, readModel, new ReadModelRepository(), source([scoped(fresh), scoped(liveV2)], []), 1000).run();
  expect(again).toEqual({ contacts_seen: 2, contacts_changed: 0, activities_seen: 0, contacts_tombstoned: 0 });
});
