/**
 * SegmentsRepository and MembershipRepository on real PostgreSQL: every
 * method of one tenant is bound to its scope (another tenant's or mode's
 * scope neither sees nor changes a segment or its members), a redefinition
 * starts a new build, and the builder's claim hands out a segment with its
 * tenant, once.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { contactSnapshot, TestDatabase, testContext } from '@sigil/testing';
import { MembershipRepository } from '../membership/membership.repository';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { SegmentsRepository } from './segments.repository';

let db: TestDatabase;
let ds: DataSource;
const segments = new SegmentsRepository();
const members = new MembershipRepository();
const readModel = new ReadModelRepository();

beforeAll(async () => {
  db = await TestDatabase.create('segments', SEGMENTS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const rules = { tag: 'vip', op: 'has' };

async function segment(s: TenantScope, refs: { list_refs?: string[]; segment_refs?: string[] } = {}) {
  return segments.insert(ds.manager, s, {
    id: newId('seg'),
    name: 'VIP',
    description: null,
    rules,
    list_refs: refs.list_refs ?? [],
    segment_refs: refs.segment_refs ?? [],
    include_unsubscribed: false,
    time_window: false,
  });
}

it('binds every method to its scope: another tenant or mode neither sees nor changes a segment or its members', async () => {
  const mine = scopeOf(testContext());
  const strangers: TenantScope[] = [scopeOf(testContext()), { ...mine, mode: 'test' }];
  const listId = newId('lst');
  const inner = await segment(mine, { list_refs: [listId] });
  const outer = await segment(mine, { segment_refs: [inner.id] });
  const contact = { ...contactSnapshot(), tenant_id: mine.tenantId, mode: mine.mode };
  await readModel.upsert(ds.manager, [contact]);
  const causes = [{ contact_id: contact.id, cause: 'test', cause_event_id: null }];
  expect((await members.change(ds.manager, mine, [{ segment_id: inner.id, contact_id: contact.id }], [], new Date(), causes)).added).toHaveLength(1);

  for (const other of strangers) {
    expect(await segments.find(ds.manager, other, inner.id, { count: true })).toBeUndefined();
    expect(await segments.page(ds.manager, other, '', 10, 0)).toEqual([]);
    expect(await segments.definitions(ds.manager, other)).toEqual([]);
    expect(await segments.existingIds(ds.manager, other, [inner.id])).toEqual(new Set());
    expect(await segments.usingList(ds.manager, other, listId)).toEqual([]);
    expect(await segments.usingSegment(ds.manager, other, inner.id)).toEqual([]);
    expect(await segments.lockedGraph(ds.manager, other)).toEqual(new Map());
    expect(await segments.lockRulesVersion(ds.manager, other, inner.id, 'share')).toBeUndefined();
    expect(await segments.markBuilt(ds.manager, other, inner.id, 1)).toBe(false);
    await segments.rename(ds.manager, other, inner.id, { name: 'Taken' });
    await segments.redefine(ds.manager, other, inner.id, { rules, list_refs: [], segment_refs: [], time_window: true, include_unsubscribed: true });
    await segments.delete(ds.manager, other, outer.id);

    expect(await members.count(ds.manager, other, inner.id)).toBe(0);
    expect(await members.memberIds(ds.manager, other, inner.id, '', 10)).toEqual([]);
    expect(await members.pairs(ds.manager, other, [inner.id], [contact.id])).toEqual([]);
    expect(await members.change(ds.manager, other, [], [{ segment_id: inner.id, contact_id: contact.id }], new Date(), causes)).toEqual({ added: [], removed: [] });
    expect((await members.evaluate(ds.manager, other, [contact.id], [{ id: inner.id, predicate: () => 'true' }]))[0]).toMatchObject({ matches: [false], memberOf: [] });
    expect(await members.removeContact(ds.manager, other, contact.id)).toEqual([]);
    await members.removeSegment(ds.manager, other, inner.id);
    expect(await members.segmentsOf(ds.manager, other, contact.id)).toEqual([]);
  }

  expect(await segments.find(ds.manager, mine, inner.id, { count: true })).toMatchObject({
    name: 'VIP',
    rules_version: 1,
    include_unsubscribed: false,
    status: 'building',
    member_count: '1',
  });
  expect(await segments.find(ds.manager, mine, outer.id)).toBeDefined();
  expect(await segments.usingList(ds.manager, mine, listId)).toEqual([inner.id]);
  expect(await segments.usingSegment(ds.manager, mine, inner.id)).toEqual([outer.id]);
  expect(await segments.lockedGraph(ds.manager, mine)).toEqual(new Map([[outer.id, [inner.id]]]));
  expect(await members.segmentsOf(ds.manager, mine, contact.id)).toEqual([expect.objectContaining({ segment_id: inner.id, name: 'VIP' })]);
});

it('a redefinition is a new rules version to build; a build of an older version is not marked built', async () => {
  const s = scopeOf(testContext());
  const seg = await segment(s);
  expect(await segments.markBuilt(ds.manager, s, seg.id, 1)).toBe(true);
  expect(await segments.find(ds.manager, s, seg.id)).toMatchObject({ status: 'ready', built_at: expect.any(Date) });

  await segments.redefine(ds.manager, s, seg.id, { rules, list_refs: [], segment_refs: [], time_window: false, include_unsubscribed: true });
  expect(await segments.find(ds.manager, s, seg.id)).toMatchObject({ status: 'building', rules_version: 2, include_unsubscribed: true });
  expect(await segments.markBuilt(ds.manager, s, seg.id, 1)).toBe(false);
  expect(await segments.lockRulesVersion(ds.manager, s, seg.id, 'update')).toBe(2);
});

it('the builder claims a segment of any tenant with its tenant and mode, and not again while the lease holds', async () => {
  const s = scopeOf(testContext({ mode: 'test' }));
  const seg = await segment(s);
  const claimed: string[] = [];
  for (let next = await segments.claimBuild(ds.manager, 60); next; next = await segments.claimBuild(ds.manager, 60)) {
    claimed.push(next.id);
    if (next.id === seg.id) expect(next).toMatchObject({ tenant_id: s.tenantId, mode: 'test', build_cursor: null, rules_version: 1 });
  }
  expect(claimed).toContain(seg.id);
  expect(new Set(claimed).size).toBe(claimed.length);
});
