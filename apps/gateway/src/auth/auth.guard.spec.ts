/**
 * The AuthGuard only orders the pipeline's units: the order is what this
 * tests (stand-ins for the units, which have their own tests).
 */
import { Unauthenticated } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import { MINUTE_MS, RateLimitExceeded, type LimitDecision, type LimitPolicy } from '../rate-limit/limit-policy';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { AccessState } from './access-state';
import type { AuthFailureThrottle } from './auth-failure-throttle';
import { AuthGuard } from './auth.guard';
import type { Authenticator } from './authenticator';
import type { RoutePolicy } from './route-policy';

const key = verifiedApiKey({ scopes: ['contacts:read'], rate_limit_per_minute: 7 });

function setup(route: RoutePolicy, options: { authFails?: boolean; admitted?: boolean; key?: typeof key } = {}) {
  const calls: string[] = [];
  const headers: Record<string, string> = {};
  const req: Record<string, unknown> = { ip: '9.9.9.9', id: 'req_1', headers: { authorization: 'Bearer sg_live_x' } };
  const reply = { headers: (h: Record<string, string>) => Object.assign(headers, h) };
  const throttle = {
    assertNotBlocked: () => calls.push('throttle.check'),
    recordFailure: async () => void calls.push('throttle.failure'),
  } as unknown as AuthFailureThrottle;
  const authenticator = {
    authenticate: async () => {
      calls.push('authenticate');
      if (options.authFails) throw new Unauthenticated('invalid_api_key', 'no');
      return { kind: 'api_key', key: options.key ?? key };
    },
  } as unknown as Authenticator;
  const limiter = {
    check: async (policy: LimitPolicy): Promise<LimitDecision> => {
      calls.push(`limit ${policy.subject} ${policy.limit}/${policy.windowMs}`);
      const admitted = options.admitted ?? true;
      return {
        admitted,
        policy,
        remaining: 1,
        resetSeconds: 5,
        dayRemaining: 9,
        dayResetSeconds: 99,
        blockedBy: admitted ? 'none' : 'window',
        retryAfterSeconds: admitted ? 0 : 5,
      };
    },
  } as unknown as RateLimiter;
  const guard = new AuthGuard(authenticator, throttle, limiter, new AccessState({} as never));
  const admit = () => guard.admit(req as never, reply as never, route);
  return { admit, calls, req, headers };
}

describe('AuthGuard', () => {
  it('throttle check, authentication, rate limit, scope check, then the context', async () => {
    const { admit, calls, req, headers } = setup({ kind: 'authenticated', required: 'contacts:read' });
    await expect(admit()).resolves.toBeUndefined();
    expect(calls).toEqual(['throttle.check', 'authenticate', `limit key:key_1 7/${MINUTE_MS}`]);
    expect(req['sigilContext']).toMatchObject({ tenant_id: 'ten_1', mode: 'live', request_id: 'req_1', principal: { kind: 'api_key', id: 'key_1' } });
    expect(headers['ratelimit']).toBe('"minute";r=1;t=5');
  });

  it('counts a failed authentication toward the IP and answers 401', async () => {
    const { admit, calls } = setup({ kind: 'authenticated', required: undefined }, { authFails: true });
    await expect(admit()).rejects.toMatchObject({ status: 401 });
    expect(calls).toEqual(['throttle.check', 'authenticate', 'throttle.failure']);
  });

  it('limits before the scope check: a 403 still counts and carries the headers', async () => {
    const { admit, calls, req, headers } = setup({ kind: 'authenticated', required: 'contacts:write' });
    await expect(admit()).rejects.toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(calls).toHaveLength(3);
    expect(headers['ratelimit-policy']).toContain('"minute";q=7;w=60');
    expect(req['sigilContext']).toBeUndefined();
  });

  it('refuses a key used outside its allowed_cidrs with 403 ip_not_allowed, before spending its quota', async () => {
    const fenced = verifiedApiKey({ allowed_cidrs: ['10.0.0.0/8', '2001:db8::/32'] });
    const { admit, calls, req } = setup({ kind: 'authenticated', required: undefined }, { key: fenced });
    await expect(admit()).rejects.toMatchObject({ status: 403, code: 'ip_not_allowed' });
    expect(calls).toEqual(['throttle.check', 'authenticate']);
    req['ip'] = '::ffff:10.1.2.3';
    await expect(admit()).resolves.toBeUndefined();
  });

  it('refuses over the limit with RateLimitExceeded (its headers are set by the error filter)', async () => {
    const { admit } = setup({ kind: 'authenticated', required: undefined }, { admitted: false });
    await expect(admit()).rejects.toBeInstanceOf(RateLimitExceeded);
  });

  it('limits a public route per IP without authenticating', async () => {
    const { admit, calls } = setup({ kind: 'public', ipLimit: { name: 'signup', limit: 20, windowMs: 3_600_000 } });
    await expect(admit()).resolves.toBeUndefined();
    expect(calls).toEqual(['limit ip:signup:9.9.9.9 20/3600000']);
  });
});
