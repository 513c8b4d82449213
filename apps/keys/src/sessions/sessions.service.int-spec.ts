/**
 * SessionsService on a real PostgreSQL (no Kafka, no HTTP), requests
 * validated by their contract as the handler does: signup (one transaction:
 * tenant, owner, membership, first session), login (failures throttled per
 * email, a success clearing them), refresh-token rotation with reuse
 * detection, logout, the session's mode, and switching to another tenant the
 * user belongs to.
 */
import type { DataSource } from 'typeorm';
import { KeyRpc, type RequestContext } from '@sigil/contracts';
import { verifyAccessToken } from '@sigil/platform';
import { rejection, TestDatabase, testPassword, uniqueEmail, validatedRequest } from '@sigil/testing';
import { KEYS_MIGRATIONS } from '../migrations';
import { keysServices, signedUpTenant, type KeysServices } from '../test/keys-services';

let db: TestDatabase;
let ds: DataSource;
let services: KeysServices;
let sessions: KeysServices['sessions'];

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS);
  ds = db.dataSource;
  services = keysServices(ds, { LOGIN_MAX_FAILURES: 2 });
  sessions = services.sessions;
});

afterAll(async () => {
  await db?.drop();
});

const claimsOf = (accessToken: string) => verifyAccessToken(accessToken, services.config.JWT_SECRET)!;
const signup = () => signedUpTenant(sessions);

describe('signup', () => {
  it('creates the tenant on starter, its owner and their membership, and a first session', async () => {
    const { account } = await signup();
    expect(account).toMatchObject({ token_type: 'Bearer', tenant: { plan: 'starter' }, user: { role: 'owner' } });
    expect(claimsOf(account.access_token)).toMatchObject({ sub: account.user.id, tid: account.tenant.id, role: 'owner', plan: 'starter', mode: 'live' });
    expect(await ds.query(`SELECT role FROM memberships WHERE tenant_id = $1`, [account.tenant.id])).toEqual([{ role: 'owner' }]);
  });

  it('once per email (any case): a second signup is a 409 and leaves no tenant behind', async () => {
    const { account, password } = await signup();
    const organization = `Twice ${account.tenant.id}`;
    const again = await validatedRequest(KeyRpc.signup, { body: { email: account.user.email.toUpperCase(), password, organization_name: organization } });
    expect(await rejection(sessions.signup(again.body))).toMatchObject({ status: 409, code: 'conflict' });
    expect(await ds.query(`SELECT 1 FROM tenants WHERE name = $1`, [organization])).toEqual([]);
  });
});

describe('login', () => {
  it('issues a session; a wrong password or an unknown email is the same 401', async () => {
    const { account, password } = await signup();
    expect(await sessions.login({ email: account.user.email, password })).toMatchObject({ token_type: 'Bearer', mode: 'live' });
    expect(await rejection(sessions.login({ email: account.user.email, password: `${password}x` }))).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(await rejection(sessions.login({ email: uniqueEmail(), password }))).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('throttles an email after LOGIN_MAX_FAILURES failures, even with the right password; a success before that clears the count', async () => {
    const { account, password } = await signup();
    const wrong = () => rejection(sessions.login({ email: account.user.email, password: 'wrong-password-1' }));
    expect(await wrong()).toMatchObject({ status: 401 });
    await sessions.login({ email: account.user.email, password });
    expect(await wrong()).toMatchObject({ status: 401 });
    expect(await wrong()).toMatchObject({ status: 401 });
    const throttled = await rejection(sessions.login({ email: account.user.email, password }));
    expect(throttled).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(throttled.extra?.['retry_after']).toBeGreaterThan(0);
  });

  it('a test-mode session keeps its mode across rotations unless a refresh switches it', async () => {
    const { account, password } = await signup();
    const test = await sessions.login({ email: account.user.email, password, mode: 'test' });
    expect(claimsOf(test.access_token).mode).toBe('test');
    const rotated = await sessions.refresh({ refresh_token: test.refresh_token });
    expect([rotated.mode, claimsOf(rotated.access_token).mode]).toEqual(['test', 'test']);
    const switched = await sessions.refresh({ refresh_token: rotated.refresh_token, mode: 'live' });
    expect(claimsOf(switched.access_token).mode).toBe('live');
  });
});

describe('refresh and logout', () => {
  it('rotates refresh tokens; reusing an old one revokes the whole session; logout revokes', async () => {
    const { account } = await signup();
    const second = await sessions.refresh({ refresh_token: account.refresh_token });
    expect(second.refresh_token).not.toBe(account.refresh_token);
    expect(await rejection(sessions.refresh({ refresh_token: account.refresh_token }))).toMatchObject({ status: 401, code: 'invalid_token' });
    // The reuse revoked the family: the token handed out by the rotation is dead too.
    expect((await rejection(sessions.refresh({ refresh_token: second.refresh_token }))).status).toBe(401);

    const { account: other, password } = await signup();
    const fresh = await sessions.login({ email: other.user.email, password });
    expect(await sessions.logout({ refresh_token: fresh.refresh_token })).toEqual({ revoked: true });
    expect((await rejection(sessions.refresh({ refresh_token: fresh.refresh_token }))).status).toBe(401);
    expect(await sessions.logout({ refresh_token: 'not-a-refresh-token' })).toEqual({ revoked: false });
  });

  it('a refresh reads the role again, and ends the session of a member removed meanwhile', async () => {
    const { ctx } = await signup();
    const email = uniqueEmail();
    const joined = await services.members.accept({ token: (await services.members.invite(ctx, { email, role: 'viewer' })).token, password: testPassword() });
    await services.members.update(ctx, joined.user.id, { role: 'developer' });
    const promoted = await sessions.refresh({ refresh_token: joined.refresh_token });
    expect(claimsOf(promoted.access_token).role).toBe('developer');
    await services.members.remove(ctx, joined.user.id);
    expect(await rejection(sessions.refresh({ refresh_token: promoted.refresh_token }))).toMatchObject({ status: 401, code: 'invalid_token' });
  });
});

describe('switchTenant', () => {
  it('issues a session in another tenant the user belongs to; 404 for a tenant they do not; 403 for an API key', async () => {
    const { account: a, password, ctx: aCtx } = await signup();
    const { ctx: bCtx } = await signup();
    const { ctx: stranger } = await signup();
    await services.members.accept({ token: (await services.members.invite(bCtx, { email: a.user.email, role: 'admin' })).token, password });

    const inB = await sessions.switchTenant(aCtx, bCtx.tenant_id);
    expect(claimsOf(inB.access_token)).toMatchObject({ sub: a.user.id, tid: bCtx.tenant_id, role: 'admin' });
    expect(await rejection(sessions.switchTenant(aCtx, stranger.tenant_id))).toMatchObject({ status: 404 });
    const asKey: RequestContext = { ...aCtx, principal: { kind: 'api_key', id: 'key_x', scopes: ['*'] } };
    expect(await rejection(sessions.switchTenant(asKey, bCtx.tenant_id))).toMatchObject({ status: 403, code: 'insufficient_scope' });
  });
});
