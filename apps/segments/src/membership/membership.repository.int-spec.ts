/**
 * MembershipRepository's statements of the live path on real PostgreSQL:
 * `evaluate` answers every id asked (predicates and memberships, nothing
 * for a tombstone or an unknown id, nothing of another tenant), and `change`
 * writes only the entries and exits that really happen, each with one
 * history row carrying its contact's cause, and the events of those only.
 */
import type { DataSource } from 'typeorm';
import { newId, OUTBOX_CHANNEL, OutboxWriter, outboxRowsJson, scopeOf, type TenantScope } from '@sigil/platform';
import { contactSnapshot, eventually, TestDatabase, testContext } from '@sigil/testing';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { MembershipRepository, type Predicate } from './membership.repository';

let db: TestDatabase;
let ds: DataSource;
const members = new MembershipRepository();
const readModel = new ReadModelRepository();

beforeAll(async () => {
  db = await TestDatabase.create('segments', SEGMENTS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const hasTag =
  (tag: string): Predicate =>
  (p) =>
    `${p.add(tag, 'text')} = ANY(c.tags)`;

async function contact(s: TenantScope, tags: string[]) {
  const snapshot = { ...contactSnapshot({ tags }), tenant_id: s.tenantId, mode: s.mode };
  await readModel.upsert(ds.manager, [snapshot]);
  return snapshot.id;
}

async function history(s: TenantScope) {
  return ds.query(
    `SELECT segment_id, contact_id, change, cause, cause_event_id FROM segment_membership_history WHERE tenant_id = $1 AND mode = $2 ORDER BY contact_id, segment_id`,
    [s.tenantId, s.mode],
  );
}

it('evaluate answers every id: predicates of live contacts only, and memberships of the segments asked only', async () => {
  const s = scopeOf(testContext());
  const [vip, plain, gone] = [await contact(s, ['vip', 'new']), await contact(s, ['new']), await contact(s, ['vip'])];
  await readModel.erase(ds.manager, s, gone, null);
  const unknown = newId('con');
  const [segA, segB, segC] = [newId('seg'), newId('seg'), newId('seg')];
  const cause = (id: string) => ({ contact_id: id, cause: 'test', cause_event_id: null });
  await members.change(
    ds.manager,
    s,
    [
      { segment_id: segA, contact_id: plain },
      { segment_id: segC, contact_id: plain },
      { segment_id: segA, contact_id: gone },
    ],
    [],
    new Date(),
    [cause(plain), cause(gone)],
  );
  // The same ids in another tenant's segment: not this scope's.
  const other = scopeOf(testContext());
  await members.change(ds.manager, other, [{ segment_id: segB, contact_id: vip }], [], new Date(), [cause(vip)]);

  const rows = await members.evaluate(
    ds.manager,
    s,
    [vip, plain, gone, unknown],
    [
      { id: segA, predicate: hasTag('vip') },
      { id: segB, predicate: hasTag('new') },
    ],
  );
  expect(rows.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
    [
      { id: vip, matches: [true, true], memberOf: [] },
      { id: plain, matches: [false, true], memberOf: [segA] },
      { id: gone, matches: [false, false], memberOf: [segA] },
      { id: unknown, matches: [false, false], memberOf: [] },
    ].sort((x, y) => x.id.localeCompare(y.id)),
  );
});

it('change writes the entries and exits that really happen, each with one history row and its contact cause, in one statement', async () => {
  const s = scopeOf(testContext());
  const [a, b, c] = [await contact(s, []), await contact(s, []), await contact(s, [])];
  const [seg1, seg2] = [newId('seg'), newId('seg')];
  const at = new Date('2026-12-01T10:00:00.000Z');
  const first = await members.change(
    ds.manager,
    s,
    [
      { segment_id: seg1, contact_id: a },
      { segment_id: seg2, contact_id: a },
      { segment_id: seg1, contact_id: b },
    ],
    [],
    at,
    [
      { contact_id: a, cause: 'contact.updated', cause_event_id: 'evt_a' },
      { contact_id: b, cause: 'contact.updated', cause_event_id: 'evt_b' },
    ],
  );
  expect(first.removed).toEqual([]);
  expect(first.added).toHaveLength(3);

  // a is already in seg1 (no entry), c is in no segment (no exit): only b's exit and c's entry happen.
  const second = await members.change(
    ds.manager,
    s,
    [
      { segment_id: seg1, contact_id: a },
      { segment_id: seg2, contact_id: c },
    ],
    [
      { segment_id: seg1, contact_id: b },
      { segment_id: seg1, contact_id: c },
    ],
    new Date(at.getTime() + 1000),
    [
      { contact_id: a, cause: 'time', cause_event_id: null },
      { contact_id: b, cause: 'list.member_removed', cause_event_id: 'evt_b2' },
      { contact_id: c, cause: 'time', cause_event_id: null },
    ],
  );
  expect(second).toEqual({ added: [{ segment_id: seg2, contact_id: c }], removed: [{ segment_id: seg1, contact_id: b }] });
  expect(await members.pairs(ds.manager, s, [seg1, seg2], [a, b, c])).toHaveLength(3);

  const rows = (await history(s)) as Array<Record<string, unknown>>;
  const expected = [
    { segment_id: seg1, contact_id: a, change: 'entered', cause: 'contact.updated', cause_event_id: 'evt_a' },
    { segment_id: seg2, contact_id: a, change: 'entered', cause: 'contact.updated', cause_event_id: 'evt_a' },
    { segment_id: seg1, contact_id: b, change: 'entered', cause: 'contact.updated', cause_event_id: 'evt_b' },
    { segment_id: seg1, contact_id: b, change: 'exited', cause: 'list.member_removed', cause_event_id: 'evt_b2' },
    { segment_id: seg2, contact_id: c, change: 'entered', cause: 'time', cause_event_id: null },
  ];
  const key = (r: Record<string, unknown>) => `${String(r['contact_id'])} ${String(r['segment_id'])} ${String(r['change'])}`;
  expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
  expect(rows.sort((x, y) => key(x).localeCompare(key(y)))).toEqual(expected.sort((x, y) => key(x).localeCompare(key(y))));

  // Another tenant's scope changes nothing of these.
  const other = scopeOf(testContext());
  expect(await members.change(ds.manager, other, [], [{ segment_id: seg1, contact_id: a }], at, [{ contact_id: a, cause: 'time', cause_event_id: null }])).toEqual({
    added: [],
    removed: [],
  });
  expect(await members.pairs(ds.manager, s, [seg1], [a])).toHaveLength(1);
  expect(await history(other)).toEqual([]);
});

it('change appends the events given with it, in their order, only those whose change it really made, and wakes the relay', async () => {
  const s = scopeOf(testContext());
  const [a, b] = [await contact(s, []), await contact(s, [])];
  const [seg1, seg2] = [newId('seg'), newId('seg')];
  const causes = [a, b].map((id) => ({ contact_id: id, cause: 'contact.updated', cause_event_id: null }));
  await members.change(ds.manager, s, [{ segment_id: seg1, contact_id: a }], [], new Date(), causes);
  const outbox = new OutboxWriter();
  const event = (type: 'segment.contact_entered' | 'segment.contact_exited', segment_id: string, contact_id: string) => ({
    type,
    tenant_id: s.tenantId,
    mode: s.mode,
    key: contact_id,
    data: { segment_id, contact_id },
  });
  // a is in seg1 already (its entry is not made); b's exit from seg1 is not made either (not a member).
  const events = [
    event('segment.contact_entered', seg2, b),
    event('segment.contact_entered', seg1, a),
    event('segment.contact_exited', seg1, b),
    event('segment.contact_entered', seg2, a),
    event('segment.contact_exited', seg1, a),
  ];
  const listener = ds.createQueryRunner();
  const woken: string[] = [];
  const client = (await listener.connect()) as { on(e: 'notification', f: (n: { channel: string }) => void): void };
  client.on('notification', (n) => woken.push(n.channel));
  await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  try {
    const made = await members.change(
      ds.manager,
      s,
      [
        { segment_id: seg2, contact_id: b },
        { segment_id: seg1, contact_id: a },
        { segment_id: seg2, contact_id: a },
      ],
      [
        { segment_id: seg1, contact_id: b },
        { segment_id: seg1, contact_id: a },
      ],
      new Date(),
      causes,
      outboxRowsJson(outbox.prepare(events)),
    );
    expect(made.added).toHaveLength(2);
    expect(made.removed).toEqual([{ segment_id: seg1, contact_id: a }]);
    const appended: Array<{ type: string; data: { segment_id: string; contact_id: string } }> = (
      await ds.query(`SELECT envelope FROM outbox_events WHERE envelope->>'tenant_id' = $1 ORDER BY seq`, [s.tenantId])
    ).map((r: { envelope: unknown }) => r.envelope);
    expect(appended.map((e) => `${e.type} ${e.data.segment_id} ${e.data.contact_id}`)).toEqual([
      `segment.contact_entered ${seg2} ${b}`,
      `segment.contact_entered ${seg2} ${a}`,
      `segment.contact_exited ${seg1} ${a}`,
    ]);
    await eventually(() => woken.includes(OUTBOX_CHANNEL));
  } finally {
    await listener.query(`UNLISTEN ${OUTBOX_CHANNEL}`).catch(() => undefined);
    await listener.release();
  }
});
