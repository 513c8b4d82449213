/**
 * The AuthGuard only orders the pipeline's units: the order is what this
 * tests (stand-ins for the units, which have their own tests), for a
 * credential known in memory (the synchronous path) and for one looked up.
 */
import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import { MINUTE_MS, RateLimitExceeded, type LimitDecision, type LimitPolicy } from '../rate-limit/limit-policy';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { AccessState } from './access-state';
import type { AuthFailureThrottle } from './auth-failure-throttle';
import { AuthGuard } from './auth.guard';
import type { Authenticator } from './authenticator';
import { RefusedApiKey } from './api-key.verifier';
import { requestContextOf } from './request-context';
import type { RoutePolicy } from './route-policy';

const key = verifiedApiKey({ scopes: ['contacts:read'], rate_limit_per_minute: 7 });

type Lookup = 'memory' | 'lookup';

function setupWith(route: RoutePolicy, options: { authFails?: boolean; admitted?: boolean; key?: typeof key; lookup?: Lookup; refusedKey?: boolean } = {}) {
  const calls: string[] = [];
  const headers: Record<string, string> = {};
  const req: Record<string, unknown> = { ip: '9.9.9.9', id: 'req_1', headers: { authorization: 'Bearer sg_live_x' } };
  const reply = { headers: (h: Record<string, string>) => Object.assign(headers, h) };
  const throttle = {
    assertNotBlocked: () => calls.push('throttle.check'),
    recordFailure: async () => void calls.push('throttle.failure'),
  } as unknown as AuthFailureThrottle;
  const authenticated = () => {
    if (options.refusedKey) throw new RefusedApiKey('revoked_api_key', 'revoked', options.key ?? key);
    if (options.authFails) throw new Unauthenticated('invalid_api_key', 'no');
    return { kind: 'api_key', key: options.key ?? key };
  };
  const inMemory = (options.lookup ?? 'lookup') === 'memory';
  const authenticator = {
    authenticateFromMemory: () => {
      calls.push('authenticate.memory');
      return inMemory ? authenticated() : undefined;
    },
    authenticate: async () => {
      calls.push('authenticate');
      if (inMemory) throw new Error('looked up a credential known in memory');
      return authenticated();
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
  return { admit, calls, req, headers, throttle: throttle as unknown as { assertNotBlocked: () => void } };
}

describe.each<[Lookup, string[]]>([
  ['memory', ['authenticate.memory']],
  ['lookup', ['authenticate.memory', 'authenticate']],
])('AuthGuard, credential known by %s', (lookup, authentication) => {
  const setup = (route: RoutePolicy, options: Parameters<typeof setupWith>[1] = {}) => setupWith(route, { ...options, lookup });

  it('throttle check, authentication, rate limit, scope check, then the context', async () => {
    const { admit, calls, req, headers } = setup({ kind: 'authenticated', required: 'contacts:read' });
    await expect(admit()).resolves.toBeUndefined();
    expect(calls).toEqual(['throttle.check', ...authentication, `limit key:key_1 7/${MINUTE_MS}`]);
    expect(requestContextOf(req as unknown as FastifyRequest)).toMatchObject({
      tenant_id: 'ten_1',
      mode: 'live',
      request_id: 'req_1',
      principal: { kind: 'api_key', id: 'key_1' },
    });
    expect(headers['ratelimit']).toBe('"minute";r=1;t=5');
  });

  it('counts a failed authentication toward the IP and answers 401', async () => {
    const { admit, calls } = setup({ kind: 'authenticated', required: undefined }, { authFails: true });
    await expect(admit()).rejects.toMatchObject({ status: 401 });
    expect(calls).toEqual(['throttle.check', ...authentication, 'throttle.failure']);
  });

  it('counts a revoked key toward the IP and its usage toward the key, without a rate limit or a context', async () => {
    const { admit, calls, req } = setup({ kind: 'authenticated', required: undefined }, { refusedKey: true });
    await expect(admit()).rejects.toMatchObject({ status: 401, code: 'revoked_api_key' });
    expect(calls).toEqual(['throttle.check', ...authentication, 'throttle.failure']);
    expect(req['sigilUsage']).toEqual({ tenant_id: 'ten_1', credential_id: 'key_1' });
    expect(req['sigilCaller']).toBeUndefined();
    expect(() => requestContextOf(req as unknown as FastifyRequest)).toThrow();
  });

  it('refuses a blocked IP before any authentication, without counting it again', async () => {
    const { admit, calls, throttle } = setup({ kind: 'authenticated', required: undefined });
    throttle.assertNotBlocked = () => {
      calls.push('throttle.check');
      const policy = { subject: 'authfail:9.9.9.9', limit: 5, windowMs: MINUTE_MS, dayLimit: 0 };
      throw new RateLimitExceeded(
        { admitted: false, policy, remaining: 0, resetSeconds: 9, dayRemaining: 0, dayResetSeconds: 9, blockedBy: 'window', retryAfterSeconds: 9 },
        'blocked',
      );
    };
    await expect(admit()).rejects.toBeInstanceOf(RateLimitExceeded);
    expect(calls).toEqual(['throttle.check']);
  });

  it('carries the request traceparent into the context when the request records no span', async () => {
    const { admit, req } = setup({ kind: 'authenticated', required: undefined });
    req['sigilTraceparent'] = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    await expect(admit()).resolves.toBeUndefined();
    expect(requestContextOf(req as unknown as FastifyRequest)).toMatchObject({ trace_id: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
  });

  it('limits before the scope check: a 403 still counts and carries the headers', async () => {
    const { admit, calls, req, headers } = setup({ kind: 'authenticated', required: 'contacts:write' });
    await expect(admit()).rejects.toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(calls).toEqual(['throttle.check', ...authentication, `limit key:key_1 7/${MINUTE_MS}`]);
    expect(headers['ratelimit-policy']).toContain('"minute";q=7;w=60');
    expect(req['sigilCaller']).toBeUndefined();
    expect(() => requestContextOf(req as unknown as FastifyRequest)).toThrow();
  });

  it('refuses a key used outside its allowed_cidrs with 403 ip_not_allowed, before spending its quota', async () => {
    const fenced = verifiedApiKey({ allowed_cidrs: ['10.0.0.0/8', '2001:db8::/32'] });
    const { admit, calls, req } = setup({ kind: 'authenticated', required: undefined }, { key: fenced });
    await expect(admit()).rejects.toMatchObject({ status: 403, code: 'ip_not_allowed' });
    expect(calls).toEqual(['throttle.check', ...authentication]);
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
