/**
 * SessionsRepository on real PostgreSQL: rotating and revoking refresh tokens
 * is bound to the tenant (another tenant's id ends no session), a family or a
 * user's sessions end together, and failed logins count per email within
 * their window.
 */
import type { DataSource } from 'typeorm';
import { hashSecret, newId } from '@sigil/platform';
import { TestDatabase, uniqueEmail } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { tenantRow } from '../test/keys-services';
import { UsersRepository } from '../users/users.repository';
import { SessionsRepository } from './sessions.repository';

let db: TestDatabase;
let ds: DataSource;
const sessions = new SessionsRepository();

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

async function member(): Promise<{ tenantId: string; userId: string }> {
  const tenantId = await tenantRow(ds.manager);
  const userId = newId('usr');
  await new UsersRepository().insert(ds.manager, tenantId, { id: userId, email: uniqueEmail(), password_hash: 'x', role: 'owner' });
  return { tenantId, userId };
}

async function token(tenantId: string, userId: string, familyId = newId('fam')) {
  const raw = newId('rt');
  await sessions.insertRefreshToken(ds.manager, tenantId, {
    id: newId('rtk'),
    user_id: userId,
    family_id: familyId,
    token_hash: hashSecret(raw),
    mode: 'live',
    ttlSeconds: 3600,
  });
  return (await sessions.findRefreshToken(ds.manager, hashSecret(raw)))!;
}

it("another tenant's id rotates and revokes nothing", async () => {
  const { tenantId, userId } = await member();
  const { tenantId: other } = await member();
  const row = await token(tenantId, userId);
  expect(row).toMatchObject({ tenant_id: tenantId, user_id: userId, mode: 'live', rotated_at: null, revoked_at: null });

  await sessions.markRotated(ds.manager, other, row.id);
  await sessions.revokeFamily(ds.manager, other, row.family_id);
  await sessions.revokeUser(ds.manager, other, userId);
  expect(await sessions.findRefreshToken(ds.manager, row.token_hash)).toMatchObject({ rotated_at: null, revoked_at: null });

  await sessions.markRotated(ds.manager, tenantId, row.id);
  expect((await sessions.findRefreshToken(ds.manager, row.token_hash))?.rotated_at).toBeInstanceOf(Date);
});

it("a family's tokens end together; a user's sessions end in that tenant", async () => {
  const { tenantId, userId } = await member();
  const family = newId('fam');
  const a = await token(tenantId, userId, family);
  const b = await token(tenantId, userId, family);
  const otherSession = await token(tenantId, userId);
  await sessions.revokeFamily(ds.manager, tenantId, family);
  for (const t of [a, b]) expect((await sessions.findRefreshToken(ds.manager, t.token_hash))?.revoked_at).toBeInstanceOf(Date);
  expect((await sessions.findRefreshToken(ds.manager, otherSession.token_hash))?.revoked_at).toBeNull();
  await sessions.revokeUser(ds.manager, tenantId, userId);
  expect((await sessions.findRefreshToken(ds.manager, otherSession.token_hash))?.revoked_at).toBeInstanceOf(Date);
});

it('counts failed logins per email within the window; clearing them starts again', async () => {
  const email = uniqueEmail();
  await sessions.recordFailure(ds.manager, email);
  await sessions.recordFailure(ds.manager, email);
  await sessions.recordFailure(ds.manager, uniqueEmail());
  const { failures, oldest } = await sessions.recentFailures(ds.manager, email, 60);
  expect(failures).toBe(2);
  expect(oldest).toBeInstanceOf(Date);
  await sessions.clearFailures(ds.manager, email);
  expect(await sessions.recentFailures(ds.manager, email, 60)).toEqual({ failures: 0, oldest: null });
});
