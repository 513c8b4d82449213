/**
 * InvitationsRepository on real PostgreSQL: every method is bound to its
 * tenant (another tenant's id locks, accepts, revokes, lists and counts
 * nothing), and "pending" means not accepted, not revoked and not expired,
 * listed newest first.
 */
import type { DataSource } from 'typeorm';
import { newId } from '@sigil/platform';
import { TestDatabase, uniqueEmail } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { tenantRow } from '../test/keys-services';
import { InvitationsRepository, pendingInvitationView } from './invitations.repository';

let db: TestDatabase;
let ds: DataSource;
const invitations = new InvitationsRepository();

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

const tenant = () => tenantRow(ds.manager);

const invite = (tenantId: string, ttlSeconds = 3600) =>
  invitations.insert(ds.manager, tenantId, { id: newId('inv'), email: uniqueEmail(), role: 'viewer', invited_by: null, ttlSeconds });

it('binds every method to the tenant: another tenant neither locks, accepts, revokes, lists nor counts an invitation', async () => {
  const mine = await tenant();
  const other = await tenant();
  const inv = await invite(mine);

  await ds.transaction(async (m) => {
    expect(await invitations.lock(m, other, inv.id)).toBeUndefined();
    expect(await invitations.lock(m, mine, inv.id)).toMatchObject({ id: inv.id, tenant_id: mine, accepted_at: null, revoked_at: null });
  });
  await invitations.markAccepted(ds.manager, other, inv.id, newId('usr'));
  expect(await invitations.revoke(ds.manager, other, inv.id)).toBeUndefined();
  expect(await invitations.pagePending(ds.manager, other, { limit: 10, offset: 0 })).toEqual([]);
  expect(await invitations.countPending(ds.manager, other)).toBe(0);

  expect((await invitations.pagePending(ds.manager, mine, { limit: 10, offset: 0 })).map(pendingInvitationView)).toEqual([pendingInvitationView(inv)]);
  expect(await invitations.countPending(ds.manager, mine)).toBe(1);
});

it('pending excludes accepted, revoked and expired invitations; newest first, paged before a position', async () => {
  const t = await tenant();
  const accepted = await invite(t);
  const revoked = await invite(t);
  await invite(t, 0);
  const older = await invite(t);
  const newer = await invite(t);
  await invitations.markAccepted(ds.manager, t, accepted.id, newId('usr'));
  expect(await invitations.revoke(ds.manager, t, revoked.id)).toMatchObject({ id: revoked.id, revoked_at: expect.any(Date) });
  expect(await invitations.revoke(ds.manager, t, revoked.id)).toBeUndefined();
  expect(await invitations.revoke(ds.manager, t, accepted.id)).toBeUndefined();

  // Ids are time-sortable (within a millisecond, in any order): newest first is by id, descending.
  const [newest, oldest] = [older.id, newer.id].sort().reverse();
  expect((await invitations.pagePending(ds.manager, t, { limit: 10, offset: 0 })).map((r) => r.id)).toEqual([newest, oldest]);
  expect((await invitations.pagePending(ds.manager, t, { after: newest, limit: 10, offset: 0 })).map((r) => r.id)).toEqual([oldest]);
  expect(await invitations.countPending(ds.manager, t)).toBe(2);
});
