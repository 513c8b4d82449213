/**
 * The read model applied a batch at a time (what its Kafka consumer does)
 * leaves the same state and emits the same segment events as one event at a
 * time: a contact changed twice in one batch enters and leaves twice,
 * duplicates and stale versions inside a batch change nothing, and a delete
 * between changes is applied in its place.
 */
import { DataSource } from 'typeorm';
import type { DomainEvent, RequestContext } from '@sigil/contracts';
import { createDataSource, runMigrationsLocked } from '@sigil/platform';
import { contactSnapshot, createTestDatabase, domainEvent, dropTestDatabase, nextVersion, testContext } from '@sigil/testing';
import type { Clock } from '../clock';
import { SegmentBuilder } from '../membership/segment-builder';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { SegmentsService } from '../segments/segments.service';
import { ReadModelService } from './read-model.service';
import { segmentsServices } from '../test/segments-services';

const clock: Clock = { now: () => new Date() };
let url: string;
let ds: DataSource;
let readModel: ReadModelService;
let builder: SegmentBuilder;
let segments: SegmentsService;

beforeAll(async () => {
  url = await createTestDatabase('segments');
  ds = await createDataSource({ url, poolSize: 5, entities: [], migrations: SEGMENTS_MIGRATIONS, service: 'segments' }).initialize();
  await runMigrationsLocked(ds, 'segments');
  ({ readModel, builder, segments } = segmentsServices(ds, clock));
});

afterAll(async () => {
  await ds?.destroy();
  if (url) await dropTestDatabase(url);
});

async function vipSegment(ctx: RequestContext): Promise<string> {
  const segment = await segments.create(ctx, { name: 'VIP', rules: { tag: 'vip', op: 'has' } });
  await builder.buildPending();
  return segment.id;
}

/** `entered <contact>` / `exited <contact>` in outbox order. */
async function membershipEvents(ctx: RequestContext): Promise<string[]> {
  const rows: { envelope: DomainEvent }[] = await ds.query(
    `SELECT envelope FROM outbox_events WHERE envelope->>'tenant_id' = $1 AND envelope->>'mode' = $2 ORDER BY seq`,
    [ctx.tenant_id, ctx.mode],
  );
  return rows
    .map((r) => r.envelope)
    .filter((e) => e.type.startsWith('segment.contact_'))
    .map((e) => `${e.type === 'segment.contact_entered' ? 'entered' : 'exited'} ${(e.data as { contact_id: string }).contact_id}`);
}

async function members(ctx: RequestContext, segmentId: string): Promise<string[]> {
  const rows: { contact_id: string }[] = await ds.query(
    `SELECT contact_id FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3 ORDER BY contact_id`,
    [ctx.tenant_id, ctx.mode, segmentId],
  );
  return rows.map((r) => r.contact_id);
}

it('emits every enter and exit of a contact changed several times in one batch, as one event at a time would', async () => {
  const ctx = testContext();
  const segmentId = await vipSegment(ctx);
  const a1 = contactSnapshot({ tags: ['vip'] });
  const a2 = nextVersion(a1, { tags: [] });
  const a3 = nextVersion(a2, { tags: ['vip'] });
  const b1 = contactSnapshot({ tags: ['vip'] });
  const created = domainEvent('contact.created', ctx, { contact: a1 });

  const applied = await readModel.applyBatch([
    created,
    domainEvent('contact.created', ctx, { contact: b1 }),
    domainEvent('contact.tags_changed', ctx, { contact: a2, added: [], removed: ['vip'] }),
    created, // a duplicate within the batch
    domainEvent('contact.tags_changed', ctx, { contact: a3, added: ['vip'], removed: [] }),
  ]);

  expect(applied).toBe(5); // the duplicate too, which changes nothing (an older version by then)
  expect(await membershipEvents(ctx)).toEqual([`entered ${a1.id}`, `entered ${b1.id}`, `exited ${a1.id}`, `entered ${a1.id}`]);
  expect(await members(ctx, segmentId)).toEqual([a1.id, b1.id].sort());
});

it('applies a delete in its place between changes, and ignores stale versions and events seen before', async () => {
  const ctx = testContext();
  const segmentId = await vipSegment(ctx);
  const a1 = contactSnapshot({ tags: ['vip'] });
  const a2 = nextVersion(a1, { tags: ['vip', 'x'] });
  const b1 = contactSnapshot({ tags: [] });
  const b2 = nextVersion(b1, { tags: ['vip'] });
  const seen = domainEvent('contact.created', ctx, { contact: b1 });
  expect(await readModel.applyBatch([seen])).toBe(1);

  const applied = await readModel.applyBatch([
    domainEvent('contact.created', ctx, { contact: a1 }),
    domainEvent('contact.tags_changed', ctx, { contact: b2, added: ['vip'], removed: [] }),
    domainEvent('contact.deleted', ctx, { id: a1.id, version: a1.version }),
    domainEvent('contact.updated', ctx, { contact: a2, changed: ['tags'] }), // after the delete: the tombstone stays
    domainEvent('contact.tags_changed', ctx, { contact: b1, added: [], removed: ['vip'] }), // older than b2: ignored
    seen,
  ]);

  expect(applied).toBe(6); // `seen` and the stale one are applied again and change nothing
  expect(await membershipEvents(ctx)).toEqual([`entered ${a1.id}`, `entered ${b2.id}`, `exited ${a1.id}`]);
  expect(await members(ctx, segmentId)).toEqual([b1.id]);
});
