/**
 * The limit policy of a caller: the tenant's limits (its plan's or the
 * operator's), lowered by a key's own per-minute limit, per key or per
 * session user. (Refusals' wording: rate-limit.headers.spec.ts.)
 */
import { verifiedApiKey } from '@sigil/testing';
import type { Caller } from '../auth/request-context';
import { MINUTE_MS, policyFor } from './limit-policy';

const tenant = { requests_per_minute: 100, requests_per_day: 10_000, max_active_keys: 2 };

describe('policyFor', () => {
  it("limits a key by the tenant's limits, lowered (never raised) by the key's own per-minute limit", () => {
    const caller = (rate: number | null) => ({ kind: 'api_key', key: verifiedApiKey({ rate_limit_per_minute: rate }) }) as Caller;
    expect(policyFor(caller(null), tenant)).toEqual({ subject: 'key:key_1', limit: 100, windowMs: MINUTE_MS, dayLimit: 10_000 });
    expect(policyFor(caller(7), tenant).limit).toBe(7);
    expect(policyFor(caller(1000), tenant).limit).toBe(100);
  });

  it("limits a session user by the tenant's limits, per user (a key beside the session is limited as the key)", () => {
    const user = { kind: 'user', claims: { sub: 'usr_1' } } as Caller;
    expect(policyFor(user, tenant)).toEqual({ subject: 'user:usr_1', limit: 100, windowMs: MINUTE_MS, dayLimit: 10_000 });
    const keyWithUser = { kind: 'api_key', key: verifiedApiKey(), user: { sub: 'usr_1' } } as Caller;
    expect(policyFor(keyWithUser, tenant).subject).toBe('key:key_1');
  });
});
