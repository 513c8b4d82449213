/**
 * FanoutRepository on real PostgreSQL: the inbox answers each event id once;
 * the endpoints read are those of the scopes given only; a batch's
 * deliveries are written in the batch's order (a contact's `seq` order), once
 * per endpoint and event, with one body per event — and never for an
 * endpoint that is gone or that belongs to another tenant or mode than the
 * row's; the pending deliveries of a batch's events come back in order.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { insertEndpoint, webhooksTestDatabase } from '../test/webhooks-database';
import { FanoutRepository, type NewDelivery } from './fanout.repository';

let db: TestDatabase;
let ds: DataSource;
const repository = new FanoutRepository();
const endpoints = new EndpointsRepository();

beforeAll(async () => {
  db = await webhooksTestDatabase();
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

async function endpointOf(s: TenantScope, enabled = true): Promise<string> {
  const row = await insertEndpoint(db, s, { enabled });
  return row.id;
}

function delivery(s: TenantScope, endpointId: string, eventId: string, extra: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: newId('msg'),
    tenant_id: s.tenantId,
    mode: s.mode,
    endpoint_id: endpointId,
    event_id: eventId,
    event_type: 'contact.created',
    status: 'pending',
    contact_id: null,
    ...extra,
  };
}

async function deliveriesOf(eventIds: string[]) {
  return (await ds.query(
    `SELECT id, tenant_id, mode, endpoint_id, event_id, status, contact_id, last_error, next_attempt_at, seq::text AS seq
       FROM webhook_deliveries WHERE event_id = ANY($1::text[]) ORDER BY seq`,
    [eventIds],
  )) as { id: string; tenant_id: string; mode: string; endpoint_id: string; event_id: string; status: string; last_error: string | null; seq: string }[];
}

it('records each event in the inbox once: a redelivered or repeated id is not new', async () => {
  const ctx = testContext();
  const event = (id = newId('evt')) => ({ id, tenant_id: ctx.tenant_id, mode: ctx.mode, type: 'contact.created' as const, occurred_at: new Date().toISOString() });
  const [a, b] = [event(), event()];
  expect([...(await repository.recordInbox(ds.manager, [a]))]).toEqual([a.id]);
  expect([...(await repository.recordInbox(ds.manager, [a, b, b]))]).toEqual([b.id]);
});

it("reads the endpoints of the scopes given, enabled or not, and no other tenant's or mode's", async () => {
  const a = scopeOf(testContext());
  const b = scopeOf(testContext());
  const aEnabled = await endpointOf(a);
  const aDisabled = await endpointOf(a, false);
  const aTest = await endpointOf({ ...a, mode: 'test' });
  const bEndpoint = await endpointOf(b);
  await endpointOf(scopeOf(testContext()));

  const read = await repository.subscribers(ds.manager, [a, b]);
  expect(read.map((e) => e.id).sort()).toEqual([aEnabled, aDisabled, bEndpoint].sort());
  expect(read.find((e) => e.id === aDisabled)).toMatchObject({ tenant_id: a.tenantId, mode: a.mode, enabled: false, events: ['contact.created'] });
  expect((await repository.subscribers(ds.manager, [{ ...a, mode: 'test' }])).map((e) => e.id)).toEqual([aTest]);
});

it("writes a batch's deliveries in its order with one body per event, skipped ones marked, each pair once", async () => {
  const s = scopeOf(testContext());
  const [one, two] = [await endpointOf(s), await endpointOf(s)];
  const events = [newId('evt'), newId('evt'), newId('evt')];
  const rows = [
    delivery(s, one, events[0]!, { contact_id: 'con_1' }),
    delivery(s, two, events[0]!, { status: 'skipped' }),
    delivery(s, one, events[1]!, { contact_id: 'con_1' }),
    delivery(s, one, events[2]!, { contact_id: 'con_1' }),
  ];
  const bodies = events.map((id, i) => ({ event_id: id, tenant_id: s.tenantId, body: `{"n":${i}}` }));
  await repository.insertDeliveries(ds.manager, rows, bodies);
  // The same batch again (a redelivery): nothing changes.
  await repository.insertDeliveries(
    ds.manager,
    rows.map((r) => ({ ...r, id: newId('msg') })),
    bodies.map((b) => ({ ...b, body: 'other' })),
  );

  const written = await deliveriesOf(events);
  expect(written.map((d) => d.id)).toEqual(rows.map((r) => r.id));
  expect(written.map((d) => [d.status, d.last_error])).toEqual([
    ['pending', null],
    ['skipped', 'endpoint disabled'],
    ['pending', null],
    ['pending', null],
  ]);
  const stored = (await ds.query(`SELECT event_id, body FROM webhook_event_bodies WHERE event_id = ANY($1::text[])`, [events])) as {
    event_id: string;
    body: string;
  }[];
  const byEvent = (x: { event_id: string }, y: { event_id: string }) => x.event_id.localeCompare(y.event_id);
  expect(stored.sort(byEvent)).toEqual(bodies.map(({ event_id, body }) => ({ event_id, body })).sort(byEvent));

  // Pending ones only, as jobs, in the order their events arrived.
  const jobs = await repository.pendingJobs(ds.manager, events);
  expect(jobs).toEqual([rows[0], rows[2], rows[3]].map((r) => ({ delivery_id: r!.id, generation: 0 })));
});

it("writes no delivery for an endpoint deleted since it was read, nor one naming another tenant's or mode's endpoint", async () => {
  const mine = scopeOf(testContext());
  const other = scopeOf(testContext());
  const kept = await endpointOf(mine);
  const deleted = await endpointOf(mine);
  const othersEndpoint = await endpointOf(other);
  const testModeEndpoint = await endpointOf({ ...mine, mode: 'test' });
  expect(await endpoints.delete(ds.manager, mine, deleted)).toBe(true);
  const event = newId('evt');

  await repository.insertDeliveries(
    ds.manager,
    [delivery(mine, deleted, event), delivery(mine, othersEndpoint, event), delivery(mine, testModeEndpoint, event), delivery(mine, kept, event)],
    [{ event_id: event, tenant_id: mine.tenantId, body: '{}' }],
  );

  const written = await deliveriesOf([event]);
  expect(written.map((d) => [d.endpoint_id, d.tenant_id, d.mode])).toEqual([[kept, mine.tenantId, mine.mode]]);
});
