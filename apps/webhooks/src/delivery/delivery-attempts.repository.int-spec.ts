/**
 * DeliveryAttemptsRepository on real PostgreSQL: a batch load returns each
 * delivery with its endpoint and body; a batch of successes records each
 * delivery once (attempt row, status, endpoint healthy again) and leaves out
 * a delivery whose generation moved on (a manual retry while in flight);
 * tenants never leak into each other's rows through a batch.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { insertEndpoint, webhooksTestDatabase } from '../test/webhooks-database';
import { DeliveryAttemptsRepository, type AttemptRecord } from './delivery-attempts.repository';

let db: TestDatabase;
let ds: DataSource;
const repository = new DeliveryAttemptsRepository();

beforeAll(async () => {
  db = await webhooksTestDatabase();
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

/** An endpoint of the scope with `n` pending deliveries of one event each. */
async function pending(s: TenantScope, n: number): Promise<{ endpointId: string; ids: string[] }> {
  const endpoint = await insertEndpoint(db, s);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const eventId = newId('evt');
    const id = newId('msg');
    await ds.query(`INSERT INTO webhook_event_bodies (event_id, tenant_id, body) VALUES ($1, $2, $3)`, [eventId, s.tenantId, `{"n":${i}}`]);
    await ds.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'contact.created', now())`,
      [id, s.tenantId, s.mode, endpoint.id, eventId],
    );
    ids.push(id);
  }
  return { endpointId: endpoint.id, ids };
}

const success = (deliveryId: string, generation = 0): AttemptRecord => ({
  deliveryId,
  generation,
  attemptedAt: new Date(),
  statusCode: 200,
  latencyMs: 12,
  responseBody: 'ok\u0000',
  error: null,
});

it('loads a batch of deliveries of several tenants, each with its own endpoint and body', async () => {
  const a = await pending(scopeOf(testContext()), 2);
  const b = await pending(scopeOf(testContext()), 1);
  const loaded = await repository.load(ds.manager, [...a.ids, ...b.ids, 'msg_missing']);
  expect(loaded.map((d) => d.id).sort()).toEqual([...a.ids, ...b.ids].sort());
  for (const d of loaded) {
    expect(d.endpoint_id).toBe(a.ids.includes(d.id) ? a.endpointId : b.endpointId);
    expect(d.body).toMatch(/^\{"n":\d\}$/);
    expect(d).toMatchObject({ url: 'https://example.com/hook', enabled: true, status: 'pending', generation: 0 });
  }
});

it('records a batch of successes once each, copies each row its own tenant, and skips a superseded generation', async () => {
  const sa = scopeOf(testContext());
  const sb = scopeOf(testContext({ mode: 'test' }));
  const a = await pending(sa, 3);
  const b = await pending(sb, 1);
  await ds.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '1 hour' WHERE id = $1`, [a.endpointId]);
  // a.ids[2] was retried by hand while in flight: generation 1 now.
  await ds.query(`UPDATE webhook_deliveries SET generation = 1 WHERE id = $1`, [a.ids[2]]);

  const recorded = await repository.recordDelivered(ds.manager, [success(a.ids[0]!), success(a.ids[1]!), success(a.ids[2]!), success(b.ids[0]!)]);
  expect([...recorded].sort()).toEqual([a.ids[0]!, a.ids[1]!, b.ids[0]!].sort());

  const rows = (await ds.query(`SELECT id, tenant_id, mode, status, attempt_count, last_status_code FROM webhook_deliveries WHERE id = ANY($1::text[])`, [
    [...a.ids, ...b.ids],
  ])) as { id: string; tenant_id: string; mode: string; status: string; attempt_count: number; last_status_code: number | null }[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect(byId.get(a.ids[0]!)).toMatchObject({ status: 'delivered', attempt_count: 1, last_status_code: 200 });
  expect(byId.get(a.ids[2]!)).toMatchObject({ status: 'pending', attempt_count: 0 });
  const attempts = (await ds.query(`SELECT delivery_id, attempt, tenant_id, mode, response_body FROM webhook_attempts WHERE delivery_id = ANY($1::text[])`, [
    [...a.ids, ...b.ids],
  ])) as { delivery_id: string; attempt: number; tenant_id: string; mode: string; response_body: string }[];
  expect(attempts).toHaveLength(3);
  for (const attempt of attempts) {
    const owner = byId.get(attempt.delivery_id)!;
    expect(attempt).toMatchObject({ attempt: 1, tenant_id: owner.tenant_id, mode: owner.mode, response_body: 'ok' });
  }
  const [endpoint] = (await ds.query(`SELECT failing_since FROM webhook_endpoints WHERE id = $1`, [a.endpointId])) as { failing_since: Date | null }[];
  expect(endpoint!.failing_since).toBeNull();
});

it('records a failure with its attempt, and reports a superseded one', async () => {
  const s = scopeOf(testContext());
  const { ids } = await pending(s, 2);
  const [d1, d2] = (await repository.load(ds.manager, ids)).sort((x, y) => x.id.localeCompare(y.id));
  const failure = { ...success(d1!.id), statusCode: 500, error: null };
  const next = new Date(Date.now() + 5000);
  expect(await repository.recordFailure(ds.manager, d1!, failure, { status: 'pending', nextAttemptAt: next })).toBe(1);
  expect(await repository.recordFailure(ds.manager, { ...d2!, generation: 7 }, failure, { status: 'failed', nextAttemptAt: null })).toBeUndefined();
  const [row] = (await ds.query(`SELECT status, attempt_count, last_error FROM webhook_deliveries WHERE id = $1`, [d1!.id])) as Record<string, unknown>[];
  expect(row).toMatchObject({ status: 'pending', attempt_count: 1, last_error: 'HTTP 500' });
});
