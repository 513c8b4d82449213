/**
 * ApiKeysRepository on real PostgreSQL: every method is bound to its tenant
 * (another tenant's id finds, changes and counts nothing), a scope with an
 * environment sees only that environment, and a rotation ends the old
 * secrets at the grace period while the new one opens the key.
 */
import type { DataSource } from 'typeorm';
import { hashSecret, newId } from '@sigil/platform';
import { TestDatabase } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { tenantRow } from '../test/keys-services';
import { ApiKeysRepository, type KeyRow } from './api-keys.repository';

let db: TestDatabase;
let ds: DataSource;
const keys = new ApiKeysRepository();

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const tenant = () => tenantRow(ds.manager);

async function key(tenantId: string, environment: 'live' | 'test' = 'live'): Promise<{ row: KeyRow; secret: string }> {
  const secret = `sk_${environment}_${newId('x')}`;
  const row = await keys.insert(ds.manager, tenantId, {
    id: newId('key'),
    name: 'CI',
    environment,
    prefix: secret.slice(0, 12),
    last4: secret.slice(-4),
    scopes: ['contacts:read'],
    rate_limit_per_minute: null,
    allowed_cidrs: null,
    expires_at: null,
    secret_hash: hashSecret(secret),
  });
  return { row, secret };
}

it('binds every method to the tenant: another tenant neither sees, counts nor changes the key', async () => {
  const mine = await tenant();
  const other = await tenant();
  const { row } = await key(mine);

  expect(await keys.find(ds.manager, { tenantId: other }, row.id)).toBeUndefined();
  expect(await keys.page(ds.manager, { tenantId: other }, { limit: 10, offset: 0 })).toEqual([]);
  expect(await keys.count(ds.manager, { tenantId: other })).toBe(0);
  expect(await keys.countActive(ds.manager, other)).toBe(0);
  expect(await keys.update(ds.manager, other, row.id, { name: 'Taken' })).toBeUndefined();
  expect(await keys.revoke(ds.manager, other, row.id)).toBeUndefined();

  expect(await keys.find(ds.manager, { tenantId: mine }, row.id)).toMatchObject({ name: 'CI', revoked_at: null });
  expect(await keys.countActive(ds.manager, mine)).toBe(1);
});

it('a scope with an environment sees only that environment; pages by id after a position', async () => {
  const t = await tenant();
  const live = (await key(t, 'live')).row;
  const test = (await key(t, 'test')).row;

  expect(await keys.find(ds.manager, { tenantId: t, environment: 'test' }, live.id)).toBeUndefined();
  expect((await keys.page(ds.manager, { tenantId: t, environment: 'test' }, { limit: 10, offset: 0 })).map((k) => k.id)).toEqual([test.id]);
  expect(await keys.count(ds.manager, { tenantId: t, environment: 'live' })).toBe(1);
  const [first, second] = [live.id, test.id].sort();
  expect((await keys.page(ds.manager, { tenantId: t }, { limit: 10, offset: 0 })).map((k) => k.id)).toEqual([first, second]);
  expect((await keys.page(ds.manager, { tenantId: t }, { after: first, limit: 10, offset: 0 })).map((k) => k.id)).toEqual([second]);
  expect((await keys.page(ds.manager, { tenantId: t }, { limit: 1, offset: 1 })).map((k) => k.id)).toEqual([second]);
});

it('update changes only what is given (null clears); revocation stops counting the key as active', async () => {
  const t = await tenant();
  const { row } = await key(t);
  const limited = await keys.update(ds.manager, t, row.id, { rate_limit_per_minute: 60, allowed_cidrs: ['10.0.0.0/8'] });
  expect(limited).toMatchObject({ name: 'CI', scopes: ['contacts:read'], rate_limit_per_minute: 60, allowed_cidrs: ['10.0.0.0/8'] });
  const cleared = await keys.update(ds.manager, t, row.id, { name: 'Deploy', rate_limit_per_minute: null });
  expect(cleared).toMatchObject({ name: 'Deploy', rate_limit_per_minute: null, allowed_cidrs: ['10.0.0.0/8'] });

  expect((await keys.revoke(ds.manager, t, row.id))?.revoked_at).toBeInstanceOf(Date);
  expect(await keys.countActive(ds.manager, t)).toBe(0);
});

it('a rotation ends the old secret at the grace period and opens the key with the new one', async () => {
  const t = await tenant();
  const { row, secret } = await key(t);
  const next = `sk_live_${newId('x')}`;
  const { row: rotated, previousExpiresAt } = await keys.rotate(ds.manager, t, row.id, {
    secret_hash: hashSecret(next),
    prefix: next.slice(0, 12),
    last4: next.slice(-4),
    graceSeconds: 3600,
  });
  expect(rotated.last4).toBe(next.slice(-4));
  expect(previousExpiresAt.getTime() - Date.now()).toBeGreaterThan(3500_000);

  const old = await keys.findBySecretHash(ds.manager, hashSecret(secret));
  expect(old).toMatchObject({ id: row.id, tenant_id: t, plan: 'starter' });
  expect(old?.secret_expires_at?.getTime()).toBe(previousExpiresAt.getTime());
  expect(await keys.findBySecretHash(ds.manager, hashSecret(next))).toMatchObject({ id: row.id, secret_expires_at: null });
  expect(await keys.findBySecretHash(ds.manager, hashSecret('sk_live_unknown'))).toBeUndefined();
});
