/**
 * MembershipsRepository on real PostgreSQL: every method of a tenant's
 * members is bound to that tenant (another tenant's id finds, counts,
 * changes and deletes nothing), one owner per tenant, and the user-scoped
 * reads (a session's subject, where a login lands, the user's tenants) see
 * exactly the user's memberships.
 */
import type { DataSource } from 'typeorm';
import { hashSecret, isUniqueViolation, newId } from '@sigil/platform';
import { TestDatabase, uniqueEmail } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { tenantRow } from '../test/keys-services';
import { UsersRepository } from '../users/users.repository';
import { MembershipsRepository } from './memberships.repository';

let db: TestDatabase;
let ds: DataSource;
const memberships = new MembershipsRepository();
const users = new UsersRepository();

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const tenant = (name?: string) => tenantRow(ds.manager, name);

async function user(homeTenantId: string): Promise<{ id: string; email: string }> {
  const u = { id: newId('usr'), email: uniqueEmail() };
  await users.insert(ds.manager, homeTenantId, { ...u, password_hash: hashSecret(u.email), role: 'member' });
  return u;
}

it('binds every method to the tenant: another tenant neither finds, counts, pages, changes nor deletes a member', async () => {
  const mine = await tenant();
  const other = await tenant();
  const u = await user(mine);
  const since = await memberships.insert(ds.manager, mine, u.id, 'developer');
  expect(since).toBeInstanceOf(Date);

  expect(await memberships.find(ds.manager, other, u.id)).toBeUndefined();
  expect(await memberships.hasEmail(ds.manager, other, u.email)).toBe(false);
  expect(await memberships.count(ds.manager, other)).toBe(0);
  expect(await memberships.page(ds.manager, other, { limit: 10, offset: 0 })).toEqual([]);
  expect(await memberships.setRole(ds.manager, other, u.id, 'admin')).toBeUndefined();
  expect(await memberships.subject(ds.manager, other, u.id)).toBeUndefined();
  await memberships.delete(ds.manager, other, u.id);

  expect(await memberships.find(ds.manager, mine, u.id)).toEqual({ user_id: u.id, email: u.email, role: 'developer', created_at: since });
  expect(await memberships.hasEmail(ds.manager, mine, u.email)).toBe(true);
  expect(await memberships.count(ds.manager, mine)).toBe(1);
  expect(await memberships.setRole(ds.manager, mine, u.id, 'viewer')).toMatchObject({ user_id: u.id, role: 'viewer' });
  await memberships.delete(ds.manager, mine, u.id);
  expect(await memberships.find(ds.manager, mine, u.id)).toBeUndefined();
});

it('pages by user id after a position; a tenant has one owner at most', async () => {
  const t = await tenant();
  const [a, b] = [await user(t), await user(t)];
  await memberships.insert(ds.manager, t, a.id, 'owner');
  await memberships.insert(ds.manager, t, b.id, 'viewer');
  const [first, second] = [a.id, b.id].sort();
  expect((await memberships.page(ds.manager, t, { limit: 10, offset: 0 })).map((r) => r.user_id)).toEqual([first, second]);
  expect((await memberships.page(ds.manager, t, { after: first, limit: 10, offset: 0 })).map((r) => r.user_id)).toEqual([second]);
  expect((await memberships.page(ds.manager, t, { limit: 1, offset: 1 })).map((r) => r.user_id)).toEqual([second]);

  const err = await memberships.setRole(ds.manager, t, b.id, 'owner').catch((e: unknown) => e);
  expect(isUniqueViolation(err)).toBe(true);
});

it("a session's subject carries the tenant's plan; a login lands in the home tenant, else the oldest membership", async () => {
  const home = await tenant('Home');
  const away = await tenant('Away');
  const u = await user(home);
  await memberships.insert(ds.manager, away, u.id, 'admin');
  await memberships.insert(ds.manager, home, u.id, 'viewer');

  expect(await memberships.subject(ds.manager, away, u.id)).toMatchObject({
    id: u.id,
    tenant_id: away,
    email: u.email,
    role: 'admin',
    tenant_name: 'Away',
    plan: 'starter',
  });
  expect(await memberships.homeSubject(ds.manager, u.id, home)).toMatchObject({ tenant_id: home, role: 'viewer' });
  expect((await memberships.tenantsOf(ds.manager, u.id)).map((r) => [r.id, r.role])).toEqual([
    [away, 'admin'],
    [home, 'viewer'],
  ]);

  await memberships.delete(ds.manager, home, u.id);
  expect(await memberships.homeSubject(ds.manager, u.id, home)).toMatchObject({ tenant_id: away });
  await memberships.delete(ds.manager, away, u.id);
  expect(await memberships.homeSubject(ds.manager, u.id, home)).toBeUndefined();
  expect(await memberships.tenantsOf(ds.manager, u.id)).toEqual([]);
});
