/**
 * SPEC §13 and the consent default of §12 against a real PostgreSQL, with a
 * clock the tests move: relative dates entering and leaving through the time
 * sweeper, anniversaries across month ends, year ends and 29 February,
 * segments of segments three deep (live propagation in dependency order, the
 * cycle and depth checks), random buckets (stable, disjoint, the same hash as
 * `bucketOf`), subscription status and suppression, membership history
 * against the emitted events, a contact's segments, and a segment export
 * that stays one snapshot while membership changes (lines rendered by the
 * database as the list export renders them, chunks capped in bytes).
 */
import { DataSource } from 'typeorm';
import { SEGMENT_EXPORT_CHUNK_BYTES, type ContactSnapshot, type DomainEvent, type RequestContext, type SegmentExportChunkReply } from '@sigil/contracts';
import { createDataSource, DomainError, MAX_MESSAGE_BYTES, runMigrationsLocked } from '@sigil/platform';
import { contactSnapshot, createTestDatabase, domainEvent, dropTestDatabase, eventually, nextVersion, testContext } from '@sigil/testing';
import type { Clock } from './clock';
import { ListsService } from './lists/lists.service';
import { SegmentBuilder } from './membership/segment-builder';
import { SEGMENTS_MIGRATIONS } from './migrations';
import { ReadModelService } from './read-model/read-model.service';
import { bucketOf } from './rules/rules.compiler';
import { ExportSnapshots } from './segments/export-snapshots';
import { SegmentsService } from './segments/segments.service';
import { segmentsServices } from './test/segments-services';

const DAY = 24 * 3600 * 1000;

/** A clock the tests set and move; starts at the real time. */
class TestClock implements Clock {
  private at: number | undefined;
  now(): Date {
    return new Date(this.at ?? Date.now());
  }
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advance(ms: number): void {
    this.at = this.now().getTime() + ms;
  }
  /** Back to the real time (for tests whose data carries real timestamps). */
  real(): void {
    this.at = undefined;
  }
}

let url: string;
let ds: DataSource;
let clock: TestClock;
let readModel: ReadModelService;
let builder: SegmentBuilder;
let lists: ListsService;
let segments: SegmentsService;
let snapshots: ExportSnapshots;
let repositories: ReturnType<typeof segmentsServices>['repositories'];

beforeAll(async () => {
  url = await createTestDatabase('segments');
  ds = await createDataSource({ url, poolSize: 10, entities: [], migrations: SEGMENTS_MIGRATIONS, service: 'segments' }).initialize();
  await runMigrationsLocked(ds, 'segments');
  clock = new TestClock();
  // Sweep interval 1 s of the test clock: every advance makes the sweep due.
  ({ readModel, builder, lists, snapshots, segments, repositories } = segmentsServices(ds, clock, { chunkSize: 3, sweepIntervalMs: 1000 }));
});

afterAll(async () => {
  await snapshots?.onApplicationShutdown();
  await ds?.destroy();
  if (url) await dropTestDatabase(url);
});

// ------------------------------------------------------------------ helpers

async function created(ctx: RequestContext, overrides: Partial<ContactSnapshot> & Record<string, unknown> = {}): Promise<ContactSnapshot> {
  const contact = contactSnapshot(overrides);
  await readModel.apply(domainEvent('contact.created', ctx, { contact }));
  return contact;
}

async function updated(ctx: RequestContext, contact: ContactSnapshot, changes: Partial<ContactSnapshot> & Record<string, unknown>): Promise<ContactSnapshot> {
  const next = nextVersion(contact, changes);
  await readModel.apply(domainEvent('contact.updated', ctx, { contact: next, changed: Object.keys(changes) }));
  return next;
}

async function readySegment(ctx: RequestContext, rules: unknown, include_unsubscribed = false): Promise<string> {
  const segment = await segments.create(ctx, { name: 'S', rules, include_unsubscribed });
  await builder.buildPending();
  return segment.id;
}

async function members(ctx: RequestContext, segmentId: string): Promise<string[]> {
  return (await segments.memberIds(ctx, segmentId, '', 10000)).ids;
}

async function previewIds(ctx: RequestContext, rules: unknown): Promise<string[]> {
  return (await segments.preview(ctx, { rules, limit: 100 })).contacts.map((c) => c.id).sort();
}

async function segmentEvents(ctx: RequestContext, segmentId?: string): Promise<string[]> {
  const rows: Array<{ envelope: DomainEvent }> = await ds.query(
    `SELECT envelope FROM outbox_events WHERE envelope->>'tenant_id' = $1 AND envelope->>'mode' = $2 AND envelope->>'type' IN ('segment.contact_entered', 'segment.contact_exited') ORDER BY seq`,
    [ctx.tenant_id, ctx.mode],
  );
  return rows
    .map((r) => r.envelope.data as { segment_id: string; contact_id: string } & { type?: string })
    .map((d, i) => ({ ...d, type: rows[i]!.envelope.type }))
    .filter((d) => !segmentId || d.segment_id === segmentId)
    .map((d) => `${d.type === 'segment.contact_entered' ? 'enter' : 'exit'} ${d.segment_id} ${d.contact_id}`);
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

const sorted = (...ids: string[]) => [...ids].sort();

// ------------------------------------------------------------------ relative dates

describe('relative dates, evaluated by the time sweeper', () => {
  it('enters and leaves as created_at ages past the boundary, with events', async () => {
    const ctx = testContext();
    clock.set('2026-03-01T12:00:00Z');
    const old = await created(ctx, { created_at: '2026-01-01T00:00:00Z' });
    const young = await created(ctx, { created_at: '2026-02-20T12:00:00Z' });
    const seg = await readySegment(ctx, { attribute: 'created_at', op: 'older_than_days', value: 14 });
    expect(await members(ctx, seg)).toEqual([old.id]);
    // young crosses 14 days at 2026-03-06T12:00Z.
    clock.set('2026-03-06T11:59:00Z');
    await builder.sweepTimeWindows();
    expect(await members(ctx, seg)).toEqual([old.id]);
    clock.set('2026-03-06T12:00:30Z');
    expect(await builder.sweepTimeWindows()).toBe(1);
    expect(await members(ctx, seg)).toEqual(sorted(old.id, young.id));
    expect(await segmentEvents(ctx, seg)).toEqual([`enter ${seg} ${young.id}`]);
  });

  it('moves a renewal date through within_next_days and out again (custom field, date only)', async () => {
    const ctx = testContext();
    clock.set('2026-05-01T00:00:00Z');
    const renewing = await created(ctx, { custom_fields: { renewal_date: '2026-05-10' } });
    await created(ctx, { custom_fields: { renewal_date: 'not a date' } });
    const seg = await readySegment(ctx, { custom_field: 'renewal_date', op: 'within_next_days', value: 7 });
    expect(await members(ctx, seg)).toEqual([]);
    clock.set('2026-05-03T00:00:00Z'); // 7 days before 05-10T00:00Z
    await builder.sweepTimeWindows();
    expect(await members(ctx, seg)).toEqual([renewing.id]);
    clock.set('2026-05-10T00:00:01Z'); // the renewal has passed
    await builder.sweepTimeWindows();
    expect(await members(ctx, seg)).toEqual([]);
    expect(await segmentEvents(ctx, seg)).toEqual([`enter ${seg} ${renewing.id}`, `exit ${seg} ${renewing.id}`]);
  });

  it('reads a date-only value as midnight in the rule time zone', async () => {
    const ctx = testContext();
    const c = await created(ctx, { custom_fields: { starts: '2026-07-02' } });
    // Midnight of 07-02 in Tokyo is 2026-07-01T15:00Z; in UTC it is 9 h later.
    clock.set('2026-07-01T16:00:00Z');
    expect(await previewIds(ctx, { custom_field: 'starts', op: 'within_last_days', value: 1, tz: 'Asia/Tokyo' })).toEqual([c.id]);
    expect(await previewIds(ctx, { custom_field: 'starts', op: 'within_last_days', value: 1 })).toEqual([]);
    expect(await previewIds(ctx, { custom_field: 'starts', op: 'within_next_days', value: 1 })).toEqual([c.id]);
  });

  it('keeps within_last_days on updated_at current as contacts change and time passes', async () => {
    const ctx = testContext();
    clock.real();
    const c = await created(ctx, { updated_at: new Date(Date.now() - 20 * DAY).toISOString() });
    const seg = await readySegment(ctx, { attribute: 'updated_at', op: 'within_last_days', value: 14 });
    expect(await members(ctx, seg)).toEqual([]);
    await updated(ctx, c, { first_name: 'Fresh' }); // updated_at = now: enters live
    expect(await members(ctx, seg)).toEqual([c.id]);
    clock.set(new Date(Date.now() + 15 * DAY).toISOString());
    await builder.sweepTimeWindows();
    expect(await members(ctx, seg)).toEqual([]);
  });
});

describe('anniversaries', () => {
  const ctx = testContext();
  let jan31: ContactSnapshot;
  let feb29: ContactSnapshot;
  let jan1: ContactSnapshot;
  let mar1: ContactSnapshot;
  const within = (days: number, tz?: string) => ({ custom_field: 'birthday', op: 'anniversary_within_days', value: days, ...(tz ? { tz } : {}) });

  beforeAll(async () => {
    jan31 = await created(ctx, { custom_fields: { birthday: '1990-01-31' } });
    feb29 = await created(ctx, { custom_fields: { birthday: '1992-02-29' } });
    jan1 = await created(ctx, { custom_fields: { birthday: '1985-01-01' } });
    mar1 = await created(ctx, { custom_fields: { birthday: '2001-03-01' } });
  });

  it.each([
    ['the day itself', '2027-01-31T10:00:00Z', 0, () => [jan31.id]],
    ['across a month end', '2027-01-30T10:00:00Z', 2, () => [jan31.id]],
    ['29 February on 28 February in a common year', '2027-02-28T10:00:00Z', 0, () => [feb29.id]],
    ['29 February not on 28 February in a leap year', '2028-02-28T10:00:00Z', 0, () => []],
    ['29 February on the day in a leap year', '2028-02-29T10:00:00Z', 0, () => [feb29.id]],
    ['1 March stays on 1 March after a leap day', '2028-02-29T10:00:00Z', 1, () => sorted(feb29.id, mar1.id)],
    ['across the year end', '2026-12-30T10:00:00Z', 2, () => [jan1.id]],
    ['a whole year ahead', '2027-02-01T00:00:00Z', 366, () => sorted(jan31.id, feb29.id, jan1.id, mar1.id)],
  ])('%s', async (_name, now, days, expected) => {
    clock.set(now);
    expect(await previewIds(ctx, within(days))).toEqual(expected());
  });

  it('takes "today" in the rule time zone', async () => {
    // 2027-01-30T20:00Z is already 31 January in Tokyo.
    clock.set('2027-01-30T20:00:00Z');
    expect(await previewIds(ctx, within(0))).toEqual([]);
    expect(await previewIds(ctx, within(0, 'Asia/Tokyo'))).toEqual([jan31.id]);
  });

  it('enters on the birthday and leaves the day after through the sweeper', async () => {
    clock.set('2027-01-30T23:59:00Z');
    const seg = await readySegment(ctx, within(0));
    expect(await members(ctx, seg)).toEqual([]);
    clock.set('2027-01-31T00:00:20Z');
    await builder.sweepTimeWindows();
    expect(await members(ctx, seg)).toEqual([jan31.id]);
    clock.set('2027-02-01T00:00:20Z');
    await builder.sweepTimeWindows();
    expect(await members(ctx, seg)).toEqual([]);
    expect(await segmentEvents(ctx, seg)).toEqual([`enter ${seg} ${jan31.id}`, `exit ${seg} ${jan31.id}`]);
  });

  it('anniversary of created_at (a timestamp) uses its calendar date in the zone', async () => {
    const other = testContext();
    const c = await created(other, { created_at: '2024-06-15T23:30:00Z' }); // 16 June in Paris
    clock.set('2026-06-16T08:00:00Z');
    expect(await previewIds(other, { attribute: 'created_at', op: 'anniversary_within_days', value: 0 })).toEqual([]);
    expect(await previewIds(other, { attribute: 'created_at', op: 'anniversary_within_days', value: 0, tz: 'Europe/Paris' })).toEqual([c.id]);
  });
});

// ------------------------------------------------------------------ segments of segments

describe('segments of segments', () => {
  it('propagates a change three levels deep, inner first, each segment once', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    const c = await created(ctx, { tags: [] });
    const a = await readySegment(ctx, { tag: 'vip', op: 'has' });
    const b = await readySegment(ctx, {
      and: [
        { segment: a, op: 'in' },
        { attribute: 'email', op: 'exists' },
      ],
    });
    const cc = await readySegment(ctx, { segment: b, op: 'in' });
    const notC = await readySegment(ctx, { segment: cc, op: 'not_in' });
    expect(await members(ctx, notC)).toEqual([c.id]);
    const v2 = await updated(ctx, c, { tags: ['vip'] });
    expect(await segmentEvents(ctx)).toEqual([`enter ${a} ${c.id}`, `enter ${b} ${c.id}`, `enter ${cc} ${c.id}`, `exit ${notC} ${c.id}`]);
    await updated(ctx, v2, { tags: [] });
    expect((await segmentEvents(ctx)).slice(4)).toEqual([`exit ${a} ${c.id}`, `exit ${b} ${c.id}`, `exit ${cc} ${c.id}`, `enter ${notC} ${c.id}`]);
    // The history keeps the cause: the contact event for every level.
    const causes: Array<{ cause: string; n: string }> = await ds.query(
      `SELECT cause, count(*) AS n FROM segment_membership_history WHERE tenant_id = $1 AND segment_id = ANY($2::text[]) AND cause <> 'build' GROUP BY cause`,
      [ctx.tenant_id, [a, b, cc, notC]],
    );
    expect(causes).toEqual([{ cause: 'contact.updated', n: '8' }]);
  });

  it('propagates list changes and time sweeps to outer segments', async () => {
    const ctx = testContext();
    clock.set('2026-03-01T00:00:00Z');
    const c = await created(ctx, { custom_fields: { trial_ends: '2026-03-05' } });
    const list = (await lists.create(ctx, { name: 'L' })).id;
    const inList = await readySegment(ctx, { list, op: 'in' });
    const ending = await readySegment(ctx, { custom_field: 'trial_ends', op: 'within_next_days', value: 2 });
    const outer = await readySegment(ctx, {
      and: [
        { segment: inList, op: 'in' },
        { segment: ending, op: 'in' },
      ],
    });
    await lists.addMembers(ctx, list, { contact_ids: [c.id] });
    expect(await members(ctx, outer)).toEqual([]);
    clock.set('2026-03-03T00:00:00Z');
    await builder.sweepTimeWindows();
    expect(await members(ctx, outer)).toEqual([c.id]);
    await lists.removeMembers(ctx, list, { contact_ids: [c.id] });
    expect(await members(ctx, outer)).toEqual([]);
  });

  it('refuses cycles (naming them), too deep nesting, unknown segments, and deleting a used segment', async () => {
    const ctx = testContext();
    const a = await readySegment(ctx, { tag: 'a', op: 'has' });
    const b = await readySegment(ctx, { segment: a, op: 'in' });
    const c = await readySegment(ctx, { segment: b, op: 'in' });
    const cycle = await rejection(
      segments.update(ctx, a, {
        rules: {
          or: [
            { tag: 'a', op: 'has' },
            { segment: c, op: 'not_in' },
          ],
        },
      }),
    );
    expect(cycle.status).toBe(400);
    expect(cycle.details).toEqual([expect.objectContaining({ field: 'rules', code: 'cycle' })]);
    expect(cycle.details![0]!.message).toContain(`${a} → ${c} → ${b} → ${a}`);
    const self = await rejection(segments.update(ctx, a, { rules: { segment: a, op: 'in' } }));
    expect(self.details![0]!.code).toBe('cycle');

    let inner = c;
    for (let i = 0; i < 3; i++) inner = await readySegment(ctx, { segment: inner, op: 'in' }); // 5 levels below the last
    const deep = await rejection(segments.create(ctx, { name: 'deep', rules: { segment: inner, op: 'in' } }));
    expect(deep.details![0]!.code).toBe('too_deep');

    const foreign = await readySegment(testContext(), { tag: 'x', op: 'has' });
    const unknown = await rejection(segments.create(ctx, { name: 'x', rules: { segment: foreign, op: 'in' } }));
    expect(unknown.details).toEqual([expect.objectContaining({ field: 'rules.segment', code: 'not_found' })]);

    const used = await rejection(segments.delete(ctx, a));
    expect(used.status).toBe(409);
    // Unchanged after the refusals: a is still a plain tag segment.
    expect((await segments.get(ctx, a)).rules).toEqual({ tag: 'a', op: 'has' });
  });
});

// ------------------------------------------------------------------ random buckets

describe('random buckets', () => {
  it('are the same hash as bucketOf, stable across re-evaluation, and disjoint for disjoint ranges', async () => {
    const ctx = testContext();
    const contacts: ContactSnapshot[] = [];
    for (let i = 0; i < 60; i++) contacts.push(await created(ctx, { tags: ['all'] }));
    const low = await readySegment(ctx, { random_bucket: { percent: 30, salt: 'spring' } });
    const high = await readySegment(ctx, { random_bucket: { percent: 70, salt: 'spring', offset: 30 } });
    const expectedLow = contacts
      .filter((c) => bucketOf(c.id, 'spring') < 3000)
      .map((c) => c.id)
      .sort();
    expect(await members(ctx, low)).toEqual(expectedLow);
    const lowIds = new Set(await members(ctx, low));
    const highIds = await members(ctx, high);
    expect(highIds.filter((id) => lowIds.has(id))).toEqual([]);
    expect(lowIds.size + highIds.length).toBe(60);
    // Every contact changes: nobody moves bucket.
    for (const c of contacts) await updated(ctx, c, { first_name: 'Changed' });
    expect(await members(ctx, low)).toEqual(expectedLow);
    expect(await segmentEvents(ctx)).toEqual([]);
  });
});

// ------------------------------------------------------------------ consent

describe('subscription status and suppression (the consent default)', () => {
  it('leaves out unsubscribed and suppressed contacts unless the segment includes them, live', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    const subscribed = await created(ctx, { tags: ['t'] });
    const legacy = await created(ctx, { tags: ['t'] }); // no status in the payload: subscribed
    const unsubscribed = await created(ctx, { tags: ['t'], subscription_status: 'unsubscribed' });
    const suppressed = await created(ctx, { tags: ['t'], subscription_status: 'subscribed', suppressed: true });
    const dflt = await readySegment(ctx, { tag: 't', op: 'has' });
    const all = await readySegment(ctx, { tag: 't', op: 'has' }, true);
    const bounced = await readySegment(ctx, { subscription_status: 'unsubscribed', op: 'eq' }, true);
    expect(await members(ctx, dflt)).toEqual(sorted(subscribed.id, legacy.id));
    expect(await members(ctx, all)).toEqual(sorted(subscribed.id, legacy.id, unsubscribed.id, suppressed.id));
    expect(await members(ctx, bounced)).toEqual([unsubscribed.id]);
    expect((await segments.preview(ctx, { rules: { tag: 't', op: 'has' }, limit: 0 })).count).toBe(2);
    expect((await segments.preview(ctx, { rules: { tag: 't', op: 'has' }, limit: 0, include_unsubscribed: true })).count).toBe(4);

    // Unsubscribing exits at once; a suppression lifted (contact.updated) enters again.
    await updated(ctx, subscribed, { subscription_status: 'unsubscribed' });
    await updated(ctx, suppressed, { suppressed: false });
    expect(await members(ctx, dflt)).toEqual(sorted(legacy.id, suppressed.id));

    // Switching the segment to include them rebuilds it with events.
    await segments.update(ctx, dflt, { include_unsubscribed: true });
    await builder.buildPending();
    expect((await members(ctx, dflt)).length).toBe(4);
    expect((await segments.get(ctx, dflt)).include_unsubscribed).toBe(true);
  });

  it('leaves them out of list exports unless asked', async () => {
    const ctx = testContext();
    const a = await created(ctx);
    const b = await created(ctx, { subscription_status: 'bounced' });
    const list = (await lists.create(ctx, { name: 'L' })).id;
    await lists.addMembers(ctx, list, { contact_ids: [a.id, b.id] });
    const dflt = await lists.exportChunk(ctx, { list_id: list, after: null, limit: 100 });
    expect(dflt.members.map((m) => m.id)).toEqual([a.id]);
    const all = await lists.exportChunk(ctx, { list_id: list, after: null, limit: 100, include_unsubscribed: true });
    expect(all.members.map((m) => m.id)).toEqual(sorted(a.id, b.id));
  });
});

// ------------------------------------------------------------------ history, contact segments, export

describe('membership history', () => {
  it('counts per interval equal the events, and totals follow the member count', async () => {
    const ctx = testContext();
    clock.set('2026-04-01T10:00:00Z');
    const people: ContactSnapshot[] = [];
    for (let i = 0; i < 5; i++) people.push(await created(ctx));
    const seg = await readySegment(ctx, { tag: 'in', op: 'has' }); // built empty
    const current = new Map(people.map((p) => [p.id, p]));
    const tag = async (p: ContactSnapshot, tags: string[]) => current.set(p.id, await updated(ctx, current.get(p.id)!, { tags }));
    await tag(people[0]!, ['in']);
    await tag(people[1]!, ['in']);
    clock.set('2026-04-01T11:30:00Z');
    await tag(people[2]!, ['in']);
    await tag(people[0]!, []);
    clock.set('2026-04-02T09:00:00Z');
    await tag(people[3]!, ['in']);
    await tag(people[4]!, ['in']);
    await tag(people[1]!, []);

    const events = await segmentEvents(ctx, seg);
    const hourly = await segments.history(ctx, seg, { from: '2026-04-01T09:00:00Z', to: '2026-04-02T10:00:00Z', interval: 'hour' });
    expect(hourly).toHaveLength(25);
    expect(hourly.reduce((n, p) => n + p.entered, 0)).toBe(events.filter((e) => e.startsWith('enter')).length);
    expect(hourly.reduce((n, p) => n + p.exited, 0)).toBe(events.filter((e) => e.startsWith('exit')).length);
    expect(hourly.find((p) => p.at === '2026-04-01T10:00:00.000Z')).toEqual({ at: '2026-04-01T10:00:00.000Z', entered: 2, exited: 0, total: 2 });
    expect(hourly.find((p) => p.at === '2026-04-01T11:00:00.000Z')).toEqual({ at: '2026-04-01T11:00:00.000Z', entered: 1, exited: 1, total: 2 });
    expect(hourly[0]).toEqual({ at: '2026-04-01T09:00:00.000Z', entered: 0, exited: 0, total: 0 });
    expect(hourly.at(-1)!.total).toBe((await segments.count(ctx, seg)).count);

    const daily = await segments.history(ctx, seg, { from: '2026-04-01T00:00:00Z', to: '2026-04-03T00:00:00Z', interval: 'day' });
    expect(daily).toEqual([
      { at: '2026-04-01T00:00:00.000Z', entered: 3, exited: 1, total: 2 },
      { at: '2026-04-02T00:00:00.000Z', entered: 2, exited: 1, total: 3 },
    ]);
    // A window that ends before later changes still reports the total at its end.
    const early = await segments.history(ctx, seg, { from: '2026-04-01T10:00:00Z', to: '2026-04-01T11:00:00Z', interval: 'hour' });
    expect(early).toEqual([{ at: '2026-04-01T10:00:00.000Z', entered: 2, exited: 0, total: 2 }]);

    const tooLong = await rejection(segments.history(ctx, seg, { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', interval: 'hour' }));
    expect(tooLong.status).toBe(400);
    const reversed = await rejection(segments.history(ctx, seg, { from: '2026-04-02T00:00:00Z', to: '2026-04-01T00:00:00Z', interval: 'day' }));
    expect(reversed.status).toBe(400);
    expect((await rejection(segments.history(testContext(), seg, { interval: 'day' }))).status).toBe(404);
  });
});

describe("a contact's segments", () => {
  it('lists current memberships with since, and 404 for unknown or foreign contacts', async () => {
    const ctx = testContext();
    clock.set('2026-05-05T05:05:05Z');
    const c = await created(ctx, { tags: ['a', 'b'] });
    const a = await readySegment(ctx, { tag: 'a', op: 'has' });
    clock.set('2026-05-06T06:06:06Z');
    const b = await segments.create(ctx, { name: 'Bees', rules: { tag: 'b', op: 'has' } });
    await builder.buildPending();
    await readySegment(ctx, { tag: 'z', op: 'has' });
    const mine = await segments.contactSegments(ctx, c.id);
    expect(mine).toEqual(
      [
        { segment_id: a, name: 'S', since: '2026-05-05T05:05:05.000Z' },
        { segment_id: b.id, name: 'Bees', since: '2026-05-06T06:06:06.000Z' },
      ].sort((x, y) => x.segment_id.localeCompare(y.segment_id)),
    );
    expect((await rejection(segments.contactSegments(testContext(), c.id))).status).toBe(404);
    expect((await rejection(segments.contactSegments(ctx, 'con_nope'))).status).toBe(404);
    expect((await rejection(segments.contactSegments(ctx, 'not-an-id'))).status).toBe(404);
  });
});

describe('segment export', () => {
  /** A chunk's lines as text (they arrive as the bytes of a raw reply). */
  const textOf = (chunk: { lines: Uint8Array }) => Buffer.from(chunk.lines).toString('utf8');
  /** The members of an NDJSON chunk, parsed. */
  const parsed = (chunk: { lines: Uint8Array }) =>
    textOf(chunk)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown> & { id: string });

  /** A chunk's size as a raw reply: its lines' bytes, and the header of the rest (as JSON, with the field's name). */
  const rawReplyBytes = ({ lines, ...rest }: SegmentExportChunkReply) => lines.byteLength + Buffer.byteLength(JSON.stringify(['lines', rest]));

  it('reads every chunk in the snapshot of the first, while membership changes', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    const people: ContactSnapshot[] = [];
    for (let i = 0; i < 9; i++) people.push(await created(ctx, { tags: ['x'] }));
    const seg = await readySegment(ctx, { tag: 'x', op: 'has' });
    const before = await members(ctx, seg);
    const first = await segments.exportChunk(ctx, { segment_id: seg, format: 'ndjson', after: null, limit: 4, snapshot: null });
    expect(parsed(first).map((m) => m.id)).toEqual(before.slice(0, 4));
    expect(first.rows).toBe(4);
    expect(first.snapshot).toMatch(/^[0-9A-F]{8}-[0-9A-F]{8}-\d+$/);
    expect(parsed(first)[0]!.since).toEqual(expect.any(String));

    // Meanwhile: one member behind the cursor leaves, one ahead leaves, a new contact enters.
    const sortedPeople = [...people].sort((x, y) => x.id.localeCompare(y.id));
    await updated(ctx, sortedPeople[1]!, { tags: [] });
    await updated(ctx, sortedPeople[7]!, { tags: [] });
    const late = await created(ctx, { tags: ['x'] });
    expect(await members(ctx, seg)).not.toEqual(before);

    const got = [...parsed(first).map((m) => m.id)];
    let chunk = first;
    while (chunk.next_after !== null) {
      chunk = await segments.exportChunk(ctx, { segment_id: seg, format: 'ndjson', after: chunk.next_after, limit: 4, snapshot: chunk.snapshot });
      got.push(...parsed(chunk).map((m) => m.id));
    }
    expect(chunk.snapshot).toBeNull();
    expect(got).toEqual(before);
    expect(got).not.toContain(late.id);

    // A released or forged snapshot is refused, not silently read live.
    expect((await rejection(segments.exportChunk(ctx, { segment_id: seg, format: 'ndjson', after: null, limit: 4, snapshot: first.snapshot }))).status).toBe(409);
    expect(
      (await rejection(segments.exportChunk(ctx, { segment_id: seg, format: 'ndjson', after: null, limit: 4, snapshot: "x'; DROP TABLE contacts; --" }))).status,
    ).toBe(409);
    // Another tenant cannot read the segment, snapshot or not.
    expect((await rejection(segments.exportChunk(testContext(), { segment_id: seg, format: 'ndjson', after: null, limit: 4, snapshot: null }))).status).toBe(404);
  });

  it('reads the next chunk ahead, and answers only the request for exactly that chunk with it', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    for (let i = 0; i < 9; i++) await created(ctx, { tags: ['ahead'] });
    const seg = await readySegment(ctx, { tag: 'ahead', op: 'has' });
    const all = await members(ctx, seg);
    const ask = (c: RequestContext, after: string | null, snapshot: string | null) =>
      segments.exportChunk(c, { segment_id: seg, format: 'ndjson', after, limit: 4, snapshot });
    const reads = jest.spyOn(repositories.members, 'exportText');
    try {
      const first = await ask(ctx, null, null);
      // The second chunk is read before anyone asks for it.
      await eventually(() => reads.mock.calls.length === 2);
      // Another tenant naming the snapshot and the cursor gets its own read (404), not the chunk read ahead.
      expect((await rejection(ask(testContext(), first.next_after, first.snapshot))).status).toBe(404);
      // The first chunk asked again (a retry after a timeout) is read anew.
      const again = await ask(ctx, null, first.snapshot);
      expect(parsed(again).map((m) => m.id)).toEqual(all.slice(0, 4));
      const second = await ask(ctx, first.next_after, first.snapshot);
      const third = await ask(ctx, second.next_after, second.snapshot);
      expect([...parsed(first), ...parsed(second), ...parsed(third)].map((m) => m.id)).toEqual(all);
      expect(third.next_after).toBeNull();
      expect(third.snapshot).toBeNull();
      // The first, ahead of the second, the retry, ahead of the second again, ahead of the third (the other tenant's
      // read stopped at its 404): the second and third chunks were never read on request.
      expect(reads).toHaveBeenCalledTimes(5);
    } finally {
      reads.mockRestore();
    }
  });

  it('renders lines as the list export does: NDJSON members, CSV cells quoted and formulas defused', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    const plain = await created(ctx, {
      tags: ['t'],
      email: 'plain@example.com',
      first_name: 'Ada',
      last_name: null,
      phone: '+4915112345678',
      custom_fields: {},
      created_at: '2026-01-02T03:04:05.678Z',
    });
    const tricky = await created(ctx, {
      tags: ['t', 'b;c'],
      email: '=cmd@example.com',
      first_name: 'Line\nbreak, "quoted"',
      last_name: '@sum',
      phone: '-1',
      custom_fields: { plan: 'pro', note: 'é "x"\t' },
    });
    const seg = await readySegment(ctx, { tag: 't', op: 'has' });
    const sinceOf = async (id: string) =>
      (
        (await ds.query(`SELECT entered_at FROM segment_members WHERE tenant_id = $1 AND segment_id = $2 AND contact_id = $3`, [ctx.tenant_id, seg, id])) as Array<{
          entered_at: Date;
        }>
      )[0]!.entered_at.toISOString();
    const [a, b] = [plain, tricky].sort((x, y) => x.id.localeCompare(y.id));

    const nd = await segments.exportChunk(ctx, { segment_id: seg, format: 'ndjson', after: null, limit: 10, snapshot: null });
    expect(nd.next_after).toBeNull();
    expect(textOf(nd).endsWith('}\n')).toBe(true);
    const view = (c: ContactSnapshot, since: string) => ({
      id: c.id,
      email: c.email,
      first_name: c.first_name ?? null,
      last_name: c.last_name ?? null,
      phone: c.phone ?? null,
      tags: c.tags,
      custom_fields: c.custom_fields,
      created_at: new Date(c.created_at).toISOString(),
      updated_at: new Date(c.updated_at).toISOString(),
      since,
    });
    expect(parsed(nd)).toEqual([view(a!, await sinceOf(a!.id)), view(b!, await sinceOf(b!.id))]);
    // Key order as the list export writes them, `since` last.
    expect(Object.keys(parsed(nd)[0]!)).toEqual(['id', 'email', 'first_name', 'last_name', 'phone', 'tags', 'custom_fields', 'created_at', 'updated_at', 'since']);

    const csv = await segments.exportChunk(ctx, { segment_id: seg, format: 'csv', after: null, limit: 10, snapshot: null });
    const lines: Record<string, string> = {
      [plain.id]: `${plain.id},plain@example.com,Ada,,+4915112345678,t,,2026-01-02T03:04:05.678Z,${new Date(plain.updated_at).toISOString()},${await sinceOf(plain.id)}\r\n`,
      [tricky.id]:
        `${tricky.id},'=cmd@example.com,"Line\nbreak, ""quoted""",'@sum,'-1,t;b;c,"{""note"": ""é \\""x\\""\\t"", ""plan"": ""pro""}",` +
        `${new Date(tricky.created_at).toISOString()},${new Date(tricky.updated_at).toISOString()},${await sinceOf(tricky.id)}\r\n`,
    };
    expect(textOf(csv)).toBe(lines[a!.id]! + lines[b!.id]!);
  });

  it('caps a chunk in bytes, never splitting a line, and goes on where it stopped', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    const big = 'x'.repeat(300_000);
    const people: ContactSnapshot[] = [];
    for (let i = 0; i < 16; i++) people.push(await created(ctx, { tags: ['big'], custom_fields: { blob: big } }));
    const seg = await readySegment(ctx, { tag: 'big', op: 'has' });
    const chunks: Array<{ rows: number; bytes: number }> = [];
    const got: string[] = [];
    let chunk = await segments.exportChunk(ctx, { segment_id: seg, format: 'csv', after: null, limit: 20000, snapshot: null });
    for (;;) {
      chunks.push({ rows: chunk.rows, bytes: chunk.lines.byteLength });
      got.push(
        ...textOf(chunk)
          .split('\r\n')
          .filter(Boolean)
          .map((line) => line.slice(0, line.indexOf(','))),
      );
      if (chunk.next_after === null) break;
      chunk = await segments.exportChunk(ctx, { segment_id: seg, format: 'csv', after: chunk.next_after, limit: 20000, snapshot: chunk.snapshot });
    }
    expect(got).toEqual(people.map((p) => p.id).sort());
    expect(chunks.length).toBeGreaterThan(1);
    // The cap bounds a chunk's bytes.
    for (const c of chunks) expect(c.bytes).toBeLessThanOrEqual(SEGMENT_EXPORT_CHUNK_BYTES);
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(16);
  });

  it('fills a chunk to what a Kafka message carries: the bound counts the bytes, not their escapes', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    // About one byte in eight JSON escapes, as in ordinary NDJSON lines (keys and values quoted).
    const note = 'a "quoted" word, '.repeat(6_000);
    const people = Array.from({ length: 60 }, () => contactSnapshot({ tags: ['full'], first_name: 'Ada', custom_fields: { note } }));
    await readModel.applyBatch(people.map((contact) => domainEvent('contact.created', ctx, { contact })));
    const seg = await readySegment(ctx, { tag: 'full', op: 'has' });
    const reads = jest.spyOn(repositories.members, 'exportText');
    try {
      for (const format of ['ndjson', 'csv'] as const) {
        reads.mockClear();
        const replies: number[] = [];
        let rows = 0;
        let chunk = await segments.exportChunk(ctx, { segment_id: seg, format, after: null, limit: 20000, snapshot: null });
        for (;;) {
          replies.push(rawReplyBytes(chunk));
          rows += chunk.rows;
          if (chunk.next_after === null) break;
          chunk = await segments.exportChunk(ctx, { segment_id: seg, format, after: chunk.next_after, limit: 20000, snapshot: chunk.snapshot });
        }
        expect(rows).toBe(60);
        for (const bytes of replies) expect(bytes).toBeLessThanOrEqual(SEGMENT_EXPORT_CHUNK_BYTES + 1024);
        // Bounded by twice its bytes, the first NDJSON chunk of these lines was 2 490 112 bytes as JSON: 59 % of the cap; bounded
        // by its size as JSON (session 10) it filled the cap as JSON, ~88 % of it as bytes.
        for (const bytes of replies.slice(0, -1)) expect(bytes).toBeGreaterThan(0.9 * SEGMENT_EXPORT_CHUNK_BYTES);
        // Every row read is rendered: the chunks read ahead ask about what fitted before (~37 rows), not the 20 000 asked.
        const limits = reads.mock.calls.map((call) => call[4].limit);
        expect(limits[0]).toBe(20000);
        expect(limits.length).toBe(replies.length);
        for (const limit of limits.slice(1)) expect(limit).toBeLessThan(50);
      }
    } finally {
      reads.mockRestore();
    }
  });

  it('keeps every chunk within a Kafka message as a raw reply, even when its text is made of characters JSON escapes', async () => {
    const ctx = testContext();
    clock.set(new Date().toISOString());
    // Names of control characters (the contacts API lets them through; raw in a CSV cell, six bytes each in JSON) and a
    // custom field of quotes (`\"` in NDJSON, `\""` in CSV: each of those bytes escaped again in the reply).
    const odd = '\u0001'.repeat(100);
    const quotes = '"'.repeat(20_000);
    const people = Array.from({ length: 150 }, () => contactSnapshot({ tags: ['odd'], first_name: odd, last_name: odd, custom_fields: { q: quotes } }));
    await readModel.applyBatch(people.map((contact) => domainEvent('contact.created', ctx, { contact })));
    const seg = await readySegment(ctx, { tag: 'odd', op: 'has' });
    for (const format of ['csv', 'ndjson'] as const) {
      const replies: number[] = [];
      const ids: string[] = [];
      let chunk = await segments.exportChunk(ctx, { segment_id: seg, format, after: null, limit: 20000, snapshot: null });
      for (;;) {
        // What the RPC layer sends back: the lines as they are, the rest in a header.
        replies.push(rawReplyBytes(chunk));
        for (const line of textOf(chunk)
          .split(format === 'csv' ? '\r\n' : '\n')
          .filter(Boolean)) {
          if (format === 'csv') {
            expect(line).toContain(`,${odd},${odd},`);
            ids.push(line.slice(0, line.indexOf(',')));
          } else {
            const member = JSON.parse(line) as { id: string; first_name: string; custom_fields: { q: string } };
            expect([member.first_name, member.custom_fields.q]).toEqual([odd, quotes]);
            ids.push(member.id);
          }
        }
        if (chunk.next_after === null) break;
        chunk = await segments.exportChunk(ctx, { segment_id: seg, format, after: chunk.next_after, limit: 20000, snapshot: chunk.snapshot });
      }
      expect(ids).toEqual(people.map((p) => p.id).sort());
      // A 2 MiB cap on the text inside a JSON reply made the first CSV chunk of such rows 4 234 643 bytes as JSON, more than a
      // Kafka message (4 194 304); as a raw reply the bytes are the text's.
      expect(replies.length).toBeGreaterThan(1);
      for (const bytes of replies) expect(bytes).toBeLessThanOrEqual(SEGMENT_EXPORT_CHUNK_BYTES + 1024);
      // Room left for the record's headers and the batch around it.
      expect(SEGMENT_EXPORT_CHUNK_BYTES + 1024).toBeLessThanOrEqual(MAX_MESSAGE_BYTES - 32 * 1024);
    }
  });
});

// ------------------------------------------------------------------ the live path at volume

describe('the live path: no lock shared by every transaction of a tenant', () => {
  it('applies contact events of one tenant in parallel transactions without waiting on custom field kinds', async () => {
    const ctx = testContext();
    await created(ctx, { custom_fields: { ltv: 1, plan: 'pro' } }); // the kinds are known now
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const started = new Promise<void>((r) => (inside = r));
    // One partition's transaction stays open after applying its contact…
    const first = ds.transaction(async (manager) => {
      await readModel.upsert(manager, [{ ...contactSnapshot({ custom_fields: { ltv: 2, plan: 'team' } }), tenant_id: ctx.tenant_id, mode: ctx.mode }]);
      inside();
      await held;
    });
    await started;
    // …while another partition's event for the same tenant and fields goes through.
    const second = created(ctx, { custom_fields: { ltv: 3, plan: 'free' } }).then(() => 'applied');
    const outcome = await Promise.race([second, new Promise((r) => setTimeout(() => r('blocked'), 3000))]);
    release();
    await first;
    await second;
    expect(outcome).toBe('applied');
  });
});
