/**
 * DeliveriesRepository on real PostgreSQL: every method is bound to its scope
 * — another tenant or mode neither sees a delivery, its body or its attempts,
 * nor resends one, nor counts it in stats, nor creates a test delivery on an
 * endpoint it does not own — and what the owner gets is right.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { pageClause } from '../paging/keyset-page';
import { insertEndpoint, webhooksTestDatabase } from '../test/webhooks-database';
import { DeliveriesRepository } from './deliveries.repository';

let db: TestDatabase;
let ds: DataSource;
const deliveries = new DeliveriesRepository();
const firstPage = (first: number) => pageClause({ offset: 0, limit: 10 }, first);

beforeAll(async () => {
  db = await webhooksTestDatabase();
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

/** An endpoint of the scope with one delivered delivery (one attempt) of a stored event. */
async function delivered(s: TenantScope): Promise<{ endpointId: string; id: string; eventId: string }> {
  const endpoint = await insertEndpoint(db, s);
  const eventId = newId('evt');
  const id = newId('msg');
  await ds.query(`INSERT INTO webhook_event_bodies (event_id, tenant_id, body) VALUES ($1, $2, '{"secret":"mine"}')`, [eventId, s.tenantId]);
  await ds.query(
    `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, status, attempt_count, delivered_at)
     VALUES ($1, $2, $3, $4, $5, 'contact.created', 'delivered', 1, now())`,
    [id, s.tenantId, s.mode, endpoint.id, eventId],
  );
  await ds.query(`INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms) VALUES ($1, 1, $2, $3, now(), 200, 40)`, [
    id,
    s.tenantId,
    s.mode,
  ]);
  return { endpointId: endpoint.id, id, eventId };
}

it('binds every method to its scope: another tenant or mode neither sees nor changes the delivery', async () => {
  const mine = scopeOf(testContext());
  const strangers: TenantScope[] = [scopeOf(testContext()), { ...mine, mode: 'test' }];
  const d = await delivered(mine);

  for (const other of strangers) {
    expect(await deliveries.page(ds.manager, other, d.endpointId, {}, firstPage)).toEqual([]);
    expect(await deliveries.find(ds.manager, other, d.endpointId, d.id)).toBeUndefined();
    if (other.tenantId !== mine.tenantId) expect(await deliveries.body(ds.manager, other, d.eventId)).toBeUndefined();
    expect(await deliveries.attempts(ds.manager, other, d.id)).toEqual([]);
    expect(await deliveries.resend(ds.manager, other, d.id)).toBeUndefined();
    expect(await deliveries.stats(ds.manager, other, d.endpointId, '24 hours')).toMatchObject({ delivered: 0, failed: 0, retrying: 0, p50: null });
    const planted = await deliveries.insertTest(ds.manager, other, { id: newId('msg'), endpointId: d.endpointId, eventId: newId('evt'), body: '{}', at: new Date() });
    expect(planted).toBeUndefined();
  }

  const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`, [d.endpointId])) as [{ n: number }];
  expect(n).toBe(1);
  expect(await deliveries.page(ds.manager, mine, d.endpointId, { status: 'delivered' }, firstPage)).toHaveLength(1);
  expect(await deliveries.page(ds.manager, mine, d.endpointId, { status: 'failed' }, firstPage)).toEqual([]);
  expect(await deliveries.find(ds.manager, mine, d.endpointId, d.id)).toMatchObject({ status: 'delivered', generation: 0 });
  expect(await deliveries.body(ds.manager, mine, d.eventId)).toBe('{"secret":"mine"}');
  expect(await deliveries.attempts(ds.manager, mine, d.id)).toMatchObject([{ attempt: 1, status_code: 200 }]);
  expect(await deliveries.stats(ds.manager, mine, d.endpointId, '24 hours')).toMatchObject({ delivered: 1, failed: 0, retrying: 0, p50: 40 });
});

it('resends a finished delivery once (next generation), and creates a test delivery with its body on an own endpoint', async () => {
  const s = scopeOf(testContext());
  const d = await delivered(s);
  expect(await deliveries.resend(ds.manager, s, d.id)).toMatchObject({ status: 'pending', generation: 1 });
  expect(await deliveries.resend(ds.manager, s, d.id)).toBeUndefined(); // pending already

  const eventId = newId('evt');
  const test = await deliveries.insertTest(ds.manager, s, { id: newId('msg'), endpointId: d.endpointId, eventId, body: '{"t":1}', at: new Date() });
  expect(test).toMatchObject({ event_type: 'webhook.test', status: 'pending', tenant_id: s.tenantId, mode: s.mode, endpoint_id: d.endpointId });
  expect(await deliveries.body(ds.manager, s, eventId)).toBe('{"t":1}');
});
