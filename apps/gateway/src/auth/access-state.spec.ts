/** AccessState: operator plan changes and member changes applied on top of credentials issued before them. */
import { PLANS } from '@sigil/contracts';
import type { VerifiedClaims } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import { AccessState } from './access-state';
import type { Caller } from './request-context';

class FakeRedis {
  readonly hashes = new Map<string, Map<string, string>>();
  async hset(key: string, field: string, value: string) {
    (this.hashes.get(key) ?? this.hashes.set(key, new Map()).get(key)!).set(field, value);
  }
  async hgetall(key: string) {
    return Object.fromEntries(this.hashes.get(key) ?? []);
  }
  async hdel(key: string, ...fields: string[]) {
    for (const f of fields) this.hashes.get(key)?.delete(f);
  }
}

const claims = (over: Partial<VerifiedClaims> = {}): VerifiedClaims =>
  ({
    sub: 'usr_1',
    tid: 'ten_1',
    role: 'admin',
    email: 'a@example.com',
    plan: 'starter',
    tname: 'T',
    mode: 'live',
    typ: 'access',
    iat: 1000,
    exp: 2000,
    iss: 'sigil-keys',
    ...over,
  }) as VerifiedClaims;
const custom = { requests_per_minute: 7, requests_per_day: 70, max_active_keys: 3 };

describe('AccessState', () => {
  it('without changes, the credential decides (old tokens without limits: the plan table)', () => {
    const state = new AccessState(new FakeRedis() as never);
    expect(state.tenantOf({ kind: 'user', claims: claims() })).toEqual({ plan: 'starter', limits: PLANS.starter });
    expect(state.tenantOf({ kind: 'user', claims: claims({ lim: custom }) })).toEqual({ plan: 'starter', limits: custom });
    const key = verifiedApiKey();
    expect(state.tenantOf({ kind: 'api_key', key })).toEqual({ plan: key.tenant.plan, limits: PLANS[key.tenant.plan] });
  });

  it('an operator change overrides keys and sessions of the tenant; an older event never replaces a newer one', async () => {
    const redis = new FakeRedis();
    const state = new AccessState(redis as never);
    await state.tenantChanged('ten_1', { plan: 'pro', limits: custom, at: 2000 });
    await state.tenantChanged('ten_1', { plan: 'agency', limits: PLANS.agency, at: 1000 });
    expect(state.tenantOf({ kind: 'user', claims: claims() })).toEqual({ plan: 'pro', limits: custom, at: 2000 });
    const key = verifiedApiKey({ tenant: { id: 'ten_1', name: 'T', plan: 'starter' } });
    expect(state.tenantOf({ kind: 'api_key', key }).limits).toEqual(custom);
    // Another replica starting later learns it from Redis.
    const later = new AccessState(redis as never);
    await later.load();
    expect(later.tenantOf({ kind: 'user', claims: claims() }).plan).toBe('pro');
  });

  it('a removed member’s sessions issued before the removal are refused; a role change corrects them', async () => {
    const state = new AccessState(new FakeRedis() as never);
    const old: Caller = { kind: 'user', claims: claims({ iat: 100 }) };
    await state.memberChanged('ten_1', 'usr_1', { role: 'viewer', at: 200_000 });
    expect(state.current(old)).toEqual({ kind: 'user', claims: { ...claims({ iat: 100 }), role: 'viewer' } });
    await state.memberChanged('ten_1', 'usr_1', { role: null, at: 300_000 });
    expect(() => state.current(old)).toThrow(expect.objectContaining({ status: 401, code: 'invalid_token' }));
    // Another tenant's membership of the same user is untouched; a token issued well after the change is trusted.
    expect(state.current({ kind: 'user', claims: claims({ iat: 100, tid: 'ten_2' }) })).toMatchObject({ claims: { role: 'admin' } });
    expect(state.current({ kind: 'user', claims: claims({ iat: 302 }) })).toMatchObject({ claims: { role: 'admin' } });
    // A token of the same second as the removal (or just after) is not trusted.
    expect(() => state.current({ kind: 'user', claims: claims({ iat: 300 }) })).toThrow();
  });

  it('a member removed and invited again: the ended membership’s tokens stay dead, the new one’s work (issue #19)', async () => {
    const redis = new FakeRedis();
    const state = new AccessState(redis as never);
    // Membership begun at 50 s, sessions issued at 100 s (one naming its membership, one from before the claim existed).
    const withClaim: Caller = { kind: 'user', claims: claims({ iat: 100, msn: 50_000 }) };
    const legacy: Caller = { kind: 'user', claims: claims({ iat: 100 }) };
    await state.memberChanged('ten_1', 'usr_1', { role: null, at: 300_000, removed: { at: 300_000, member_since: 50_000 } });
    // Invited again and joined as a viewer 200 ms after the removal (a new membership, begun at 300.2 s).
    await state.memberChanged('ten_1', 'usr_1', { role: 'viewer', at: 300_200 });
    for (const old of [withClaim, legacy]) expect(() => state.current(old)).toThrow(expect.objectContaining({ status: 401, code: 'invalid_token' }));
    // The new membership's session, issued in the same second as the removal, is trusted: its claim names it.
    expect(state.current({ kind: 'user', claims: claims({ iat: 300, msn: 300_200, role: 'viewer' }) })).toMatchObject({ claims: { role: 'viewer' } });
    // A replica starting later, and an older event arriving late, change nothing.
    const later = new AccessState(redis as never);
    await later.load(400_000);
    await later.memberChanged('ten_1', 'usr_1', { role: 'admin', at: 100_000 });
    for (const old of [withClaim, legacy]) expect(() => later.current(old)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    expect(later.current({ kind: 'user', claims: claims({ iat: 301, msn: 300_200, role: 'viewer' }) })).toMatchObject({ claims: { role: 'viewer' } });
  });

  it('a removal recorded before removals were kept apart ({role: null} in Redis) still ends the older sessions after a re-invitation', async () => {
    const redis = new FakeRedis();
    const state = new AccessState(redis as never);
    await state.memberChanged('ten_1', 'usr_1', { role: null, at: 300_000 });
    await state.memberChanged('ten_1', 'usr_1', { role: 'developer', at: 310_000 });
    expect(() => state.current({ kind: 'user', claims: claims({ iat: 100, msn: 50_000 }) })).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    expect(state.current({ kind: 'user', claims: claims({ iat: 312, msn: 310_000 }) })).toMatchObject({ claims: { role: 'admin' } });
  });

  it('forgets member entries older than any access token at load', async () => {
    const redis = new FakeRedis();
    await new AccessState(redis as never).memberChanged('ten_1', 'usr_1', { role: null, at: 1 });
    const later = new AccessState(redis as never);
    await later.load(2 * 24 * 3600 * 1000);
    expect(later.current({ kind: 'user', claims: claims({ iat: 0 }) })).toMatchObject({ kind: 'user' });
    expect(await redis.hgetall(`${[...redis.hashes.keys()].find((k) => k.endsWith('members'))}`)).toEqual({});
  });
});
