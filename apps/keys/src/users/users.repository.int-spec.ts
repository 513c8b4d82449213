/**
 * UsersRepository on real PostgreSQL: a user is found by email in any case,
 * whatever tenant they call home, and an email belongs to one user only.
 */
import type { DataSource } from 'typeorm';
import { isUniqueViolation, newId } from '@sigil/platform';
import { TestDatabase, uniqueEmail } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { tenantRow } from '../test/keys-services';
import { UsersRepository } from './users.repository';

let db: TestDatabase;
let ds: DataSource;
const users = new UsersRepository();

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

it('finds a user by email in any case; a second user with the same email (any case) is a unique violation', async () => {
  const home = await tenantRow(ds.manager, 'Home');
  const email = uniqueEmail();
  const id = newId('usr');
  await users.insert(ds.manager, home, { id, email: email.toUpperCase(), password_hash: 'hash', role: 'owner' });

  expect(await users.findByEmail(ds.manager, email)).toEqual({ id, tenant_id: home, email: email.toUpperCase(), password_hash: 'hash' });
  expect(await users.findByEmail(ds.manager, uniqueEmail())).toBeUndefined();
  const again = await users.insert(ds.manager, home, { id: newId('usr'), email, password_hash: 'other', role: 'member' }).catch((e: unknown) => e);
  expect(isUniqueViolation(again)).toBe(true);
});
