/**
 * EndpointsRepository on real PostgreSQL: every method is bound to its scope
 * (an endpoint of one tenant or mode is invisible and untouchable from
 * another), and what it writes is what the service relies on (policy fields
 * absent stay, `null` clears, re-enabling clears the reason and the failure
 * clock, a new secret keeps the previous one, a delete is a mark every
 * method then honours).
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { webhooksTestDatabase } from '../test/webhooks-database';
import { EndpointsRepository } from './endpoints.repository';

let db: TestDatabase;
let ds: DataSource;
const endpoints = new EndpointsRepository();

beforeAll(async () => {
  db = await webhooksTestDatabase();
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

async function inserted(s: TenantScope, request: Partial<Parameters<EndpointsRepository['insert']>[2]['request']> = {}) {
  return endpoints.insert(ds.manager, s, {
    id: newId('whe'),
    request: { url: 'https://example.com/hook', events: ['contact.created'], ...request },
    sealed: 'sealed-value',
    keyId: 'k1',
  });
}

it('binds every method to its scope: another tenant or mode neither sees nor changes the endpoint', async () => {
  const mine = scopeOf(testContext());
  const strangers: TenantScope[] = [scopeOf(testContext()), { ...mine, mode: 'test' }];
  const row = await inserted(mine, { ordering: 'per_contact' });
  await ds.query(`INSERT INTO webhook_ordering_claims (endpoint_id, contact_id, delivery_id, until) VALUES ($1, 'con_1', 'msg_1', now() + interval '1 minute')`, [
    row.id,
  ]);
  const all = { where: '', tail: ' ORDER BY id DESC LIMIT 10 OFFSET 0', params: [] };

  for (const other of strangers) {
    expect(await endpoints.find(ds.manager, other, row.id)).toBeUndefined();
    expect(await endpoints.page(ds.manager, other, all)).toEqual([]);
    expect(await endpoints.count(ds.manager, other)).toBe(0);
    expect(await endpoints.update(ds.manager, other, row.id, { url: 'https://evil.example/hook', enabled: false })).toBeUndefined();
    expect(await endpoints.replaceSecret(ds.manager, other, row.id, { sealed: 'stolen', keyId: 'k1', previousSealed: 'x', previousExpiresInMs: 1000 })).toBeUndefined();
    await endpoints.dropOrderingClaims(ds.manager, other, row.id);
    expect(await endpoints.delete(ds.manager, other, row.id)).toBe(false);
  }

  const kept = await endpoints.find(ds.manager, mine, row.id);
  expect(kept).toMatchObject({ url: 'https://example.com/hook', enabled: true, secret_sealed: 'sealed-value', ordering: 'per_contact' });
  expect(await endpoints.page(ds.manager, mine, all)).toHaveLength(1);
  expect(await endpoints.count(ds.manager, mine)).toBe(1);
  const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM webhook_ordering_claims WHERE endpoint_id = $1`, [row.id])) as [{ n: number }];
  expect(n).toBe(1);

  await endpoints.dropOrderingClaims(ds.manager, mine, row.id);
  const [{ left }] = (await ds.query(`SELECT count(*)::int AS left FROM webhook_ordering_claims WHERE endpoint_id = $1`, [row.id])) as [{ left: number }];
  expect(left).toBe(0);
  expect(await endpoints.delete(ds.manager, mine, row.id)).toBe(true);
  expect(await endpoints.find(ds.manager, mine, row.id)).toBeUndefined();
});

it('deletes by marking: the endpoint is gone for every method, and detach drops its claims and recoveries in its scope only', async () => {
  const mine = scopeOf(testContext());
  const row = await inserted(mine, { ordering: 'per_contact' });
  const kept = await inserted(mine);
  const all = { where: '', tail: ' ORDER BY id DESC LIMIT 10 OFFSET 0', params: [] };
  await ds.query(`INSERT INTO webhook_ordering_claims (endpoint_id, contact_id, delivery_id, until) VALUES ($1, 'con_1', 'msg_1', now() + interval '1 minute')`, [
    row.id,
  ]);
  await ds.query(`INSERT INTO webhook_recoveries (id, tenant_id, mode, endpoint_id, since, until, status, total) VALUES ($1, $2, $3, $4, now(), now(), 'running', 0)`, [
    newId('whr'),
    mine.tenantId,
    mine.mode,
    row.id,
  ]);
  const left = async () =>
    (
      (await ds.query(
        `SELECT (SELECT count(*)::int FROM webhook_ordering_claims WHERE endpoint_id = $1) AS claims,
              (SELECT count(*)::int FROM webhook_recoveries WHERE endpoint_id = $1) AS recoveries,
              (SELECT count(*)::int FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NOT NULL) AS marked`,
        [row.id],
      )) as [{ claims: number; recoveries: number; marked: number }]
    )[0];

  expect(await endpoints.delete(ds.manager, mine, row.id)).toBe(true);
  for (const other of [scopeOf(testContext()), { ...mine, mode: 'test' as const }]) await endpoints.detach(ds.manager, other, row.id);
  expect(await left()).toEqual({ claims: 1, recoveries: 1, marked: 1 });
  await endpoints.detach(ds.manager, mine, row.id);
  expect(await left()).toEqual({ claims: 0, recoveries: 0, marked: 1 });

  expect(await endpoints.find(ds.manager, mine, row.id)).toBeUndefined();
  expect(await endpoints.find(ds.manager, mine, row.id, true)).toBeUndefined();
  expect((await endpoints.page(ds.manager, mine, all)).map((e) => e.id)).toEqual([kept.id]);
  expect(await endpoints.count(ds.manager, mine)).toBe(1);
  expect(await endpoints.update(ds.manager, mine, row.id, { enabled: false })).toBeUndefined();
  expect(await endpoints.replaceSecret(ds.manager, mine, row.id, { sealed: 's', keyId: 'k1', previousSealed: 'p', previousExpiresInMs: 1000 })).toBeUndefined();
  expect(await endpoints.delete(ds.manager, mine, row.id)).toBe(false);
});

it('updates only the fields given: null clears a policy field, re-enabling clears the reason and the failure clock', async () => {
  const s = scopeOf(testContext());
  const row = await inserted(s, { rate_limit_per_second: 50, timeout_ms: 5000, headers: { 'x-team': 'a' } });
  await ds.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'failing', failing_since = now() WHERE id = $1`, [row.id]);

  const updated = await endpoints.update(ds.manager, s, row.id, { rate_limit_per_second: null, enabled: true });
  expect(updated).toMatchObject({
    url: 'https://example.com/hook',
    rate_limit_per_second: null,
    timeout_ms: 5000,
    headers: { 'x-team': 'a' },
    enabled: true,
    disabled_reason: null,
    failing_since: null,
  });
});

it('replaces the secret and keeps the previous one until the grace period ends', async () => {
  const s = scopeOf(testContext());
  const row = await inserted(s);
  const before = Date.now();
  const rotated = await endpoints.replaceSecret(ds.manager, s, row.id, { sealed: 'new', keyId: 'k2', previousSealed: 'old', previousExpiresInMs: 60_000 });
  expect(rotated).toMatchObject({ secret_sealed: 'new', secret_key_id: 'k2', previous_secret_sealed: 'old' });
  expect(rotated!.previous_secret_expires_at!.getTime()).toBeGreaterThanOrEqual(before + 59_000);
});

it('locks an endpoint for a write without waiting for the delivery inserts that reference it', async () => {
  const mine = scopeOf(testContext());
  const row = await inserted(mine);
  const inserting = ds.createQueryRunner();
  await inserting.connect();
  try {
    // What a fan-out batch holds until it commits: FOR KEY SHARE on the endpoints its deliveries name.
    await inserting.startTransaction();
    await inserting.query(`SELECT id FROM webhook_endpoints WHERE id = $1 FOR KEY SHARE`, [row.id]);
    await ds.transaction(async (m) => {
      // FOR UPDATE would wait here for the other transaction (and fail on the lock timeout).
      await m.query(`SET LOCAL lock_timeout = '2s'`);
      expect(await endpoints.find(m, mine, row.id, true)).toMatchObject({ id: row.id });
    });
    // A second writer still waits for the first (the lock serializes writes of the row).
    await ds.transaction(async (m) => {
      await endpoints.find(m, mine, row.id, true);
      const other = ds.createQueryRunner();
      await other.connect();
      try {
        await other.startTransaction();
        await other.query(`SET LOCAL lock_timeout = '200ms'`);
        await expect(other.query(`SELECT id FROM webhook_endpoints WHERE id = $1 FOR NO KEY UPDATE`, [row.id])).rejects.toThrow(/lock timeout/);
        await other.rollbackTransaction();
      } finally {
        await other.release();
      }
    });
  } finally {
    await inserting.rollbackTransaction();
    await inserting.release();
  }
});
