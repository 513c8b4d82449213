/**
 * MembersService on a real PostgreSQL: invitations (accepted once; an
 * expired or revoked one refused and writing nothing; another tenant's never
 * reached), the member and pending-invitation lists paged, role changes and
 * ownership transfer, and a member's removal ending their sessions in that
 * tenant only, announced by `member.removed`.
 */
import type { DataSource } from 'typeorm';
import { verifyAccessToken } from '@sigil/platform';
import { rejection, TestDatabase, testPassword, uniqueEmail } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { keysServices, signedUpTenant, type KeysServices } from '../test/keys-services';

let db: TestDatabase;
let ds: DataSource;
let services: KeysServices;
let sessions: KeysServices['sessions'];
let members: KeysServices['members'];

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
  services = keysServices(ds);
  ({ sessions, members } = services);
});

afterAll(async () => {
  await db?.drop();
});

const signup = () => signedUpTenant(sessions);

describe('MembersService', () => {
  it('refuses an expired invitation with invitation_expired, and writes nothing', async () => {
    const { ctx } = await signup();
    const inv = await members.invite(ctx, { email: uniqueEmail(), role: 'viewer' });
    await ds.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [inv.id]);
    expect(await rejection(members.accept({ token: inv.token, password: testPassword() }))).toMatchObject({ status: 400, code: 'invitation_expired' });
    expect(await ds.query(`SELECT 1 FROM users WHERE lower(email) = $1`, [inv.email])).toHaveLength(0);
  });

  it('removal revokes the refresh tokens of that tenant only, and emits member.removed', async () => {
    const { ctx: a } = await signup();
    const { account: b, ctx: bCtx } = await signup();
    const email = uniqueEmail();
    const password = testPassword();
    const inA = await members.accept({ token: (await members.invite(a, { email, role: 'developer' })).token, password });
    const inB = await members.accept({ token: (await members.invite(bCtx, { email, role: 'viewer' })).token, password });
    expect(inA.user.id).toBe(inB.user.id);
    await members.remove(a, inA.user.id);
    expect(await rejection(sessions.refresh({ refresh_token: inA.refresh_token }))).toMatchObject({ status: 401 });
    expect(await sessions.refresh({ refresh_token: inB.refresh_token })).toMatchObject({ token_type: 'Bearer' });
    // Login now lands in the tenant still held.
    const login = await sessions.login({ email, password });
    expect(verifyAccessToken(login.access_token, services.config.JWT_SECRET)).toMatchObject({ tid: b.tenant.id, role: 'viewer' });
    const [event] = await ds.query(`SELECT envelope FROM outbox_events WHERE key = $1 AND type = 'member.removed'`, [a.tenant_id]);
    // The event names the membership that ended, as the member's tokens of it do (claim msn): gateways keep those dead.
    const msn = verifyAccessToken(inA.access_token, services.config.JWT_SECRET)!.msn!;
    expect(event.envelope.data).toEqual({ user_id: inA.user.id, email, role: 'developer', member_since: new Date(msn).toISOString() });
  });

  it('an invitation is accepted once; a revoked one is refused; another tenant cannot revoke it (404)', async () => {
    const { ctx } = await signup();
    const { ctx: intruder } = await signup();
    const used = await members.invite(ctx, { email: uniqueEmail(), role: 'viewer' });
    await members.accept({ token: used.token, password: testPassword() });
    expect(await rejection(members.accept({ token: used.token, password: testPassword() }))).toMatchObject({ status: 409, code: 'invitation_used' });

    const pending = await members.invite(ctx, { email: uniqueEmail(), role: 'developer' });
    expect(await rejection(members.revokeInvitation(intruder, pending.id))).toMatchObject({ status: 404 });
    expect(await members.revokeInvitation(ctx, pending.id)).toEqual({ revoked: true });
    expect(await rejection(members.revokeInvitation(ctx, pending.id))).toMatchObject({ status: 404 });
    expect(await rejection(members.accept({ token: pending.token, password: testPassword() }))).toMatchObject({ status: 400, code: 'invitation_revoked' });
    expect(await ds.query(`SELECT 1 FROM users WHERE lower(email) = $1`, [pending.email])).toHaveLength(0);
  });

  it('lists members by user id and pending invitations newest first, paged, each of its own tenant', async () => {
    const { account, ctx } = await signup();
    const { ctx: other } = await signup();
    const joined = [];
    for (const role of ['viewer', 'developer'] as const) {
      joined.push((await members.accept({ token: (await members.invite(ctx, { email: uniqueEmail(), role })).token, password: testPassword() })).user.id);
    }
    const ids = [account.user.id, ...joined].sort();
    const first = await members.list(ctx, { limit: 2 });
    expect(first.data.map((m) => m.user_id)).toEqual(ids.slice(0, 2));
    expect(first.page).toMatchObject({ total: 3, has_more: true });
    const rest = await members.list(ctx, { limit: 2, cursor: first.page.next_cursor! });
    expect(rest.data.map((m) => m.user_id)).toEqual(ids.slice(2));
    expect(rest.page).toMatchObject({ has_more: false, next_cursor: null });
    expect(await rejection(members.list(ctx, { limit: 2, cursor: 'forged' }))).toMatchObject({ status: 400 });

    const a = await members.invite(ctx, { email: uniqueEmail(), role: 'viewer' });
    const b = await members.invite(ctx, { email: uniqueEmail(), role: 'viewer' });
    await members.invite(other, { email: uniqueEmail(), role: 'viewer' });
    const invitations = await members.listInvitations(ctx, { limit: 50 });
    expect(invitations.data.map((i) => i.id)).toEqual([a.id, b.id].sort().reverse());
    expect(invitations.page).toMatchObject({ total: 2 });
    expect(JSON.stringify(invitations.data)).not.toContain(a.token);
    expect((await members.list(other, { limit: 50 })).data).toHaveLength(1);
  });

  it('role changes emit member.role_changed; only the owner transfers ownership and becomes admin; the owner cannot be removed', async () => {
    const { account, ctx } = await signup();
    const dev = await members.accept({ token: (await members.invite(ctx, { email: uniqueEmail(), role: 'developer' })).token, password: testPassword() });
    const asDev = { ...ctx, principal: { kind: 'user' as const, id: dev.user.id, scopes: ['*'] } };
    expect(await members.update(ctx, dev.user.id, { role: 'admin' })).toMatchObject({ user_id: dev.user.id, role: 'admin' });
    expect(await rejection(members.update(asDev, dev.user.id, { role: 'owner' }))).toMatchObject({ status: 403 });
    expect(await rejection(members.remove(ctx, account.user.id))).toMatchObject({ status: 409 });

    expect(await members.update(ctx, dev.user.id, { role: 'owner' })).toMatchObject({ role: 'owner' });
    const roles = (await members.list(ctx, { limit: 50 })).data.map((m) => [m.user_id, m.role]);
    expect(roles).toEqual(
      expect.arrayContaining([
        [account.user.id, 'admin'],
        [dev.user.id, 'owner'],
      ]),
    );
    const changes = await ds.query(`SELECT envelope->'data' AS data FROM outbox_events WHERE key = $1 AND type = 'member.role_changed' ORDER BY seq`, [ctx.tenant_id]);
    expect(changes.map((c: { data: { user_id: string; role: string; previous_role: string } }) => [c.data.user_id, c.data.previous_role, c.data.role])).toEqual([
      [dev.user.id, 'developer', 'admin'],
      [account.user.id, 'owner', 'admin'],
      [dev.user.id, 'admin', 'owner'],
    ]);
  });
});
