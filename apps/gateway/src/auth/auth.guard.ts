/**
 * The gate every authenticated or public route passes first: composes the
 * request pipeline's units in order — the route's declared policy
 * (RoutePolicies, resolved once per route by the route pipeline), the failure
 * throttle per IP (AuthFailureThrottle), authentication of every presented
 * credential (Authenticator), the key's network allowlist, the rate limit
 * (RateLimiter, one Redis round trip) and the scope check — then attaches the
 * caller (its request context is built when a route first asks for it). Public routes may be limited per client IP
 * instead. Each unit has its own tests; this class only orders them. It is
 * not a Nest guard: the gateway's route pipeline (http/route-pipeline.ts)
 * calls `admit` for every route.
 *
 * A credential this replica already knows (an API key in the credential
 * cache's memory, a session JWT, which is verified without I/O) is checked
 * synchronously — the same checks, in the same order — and the rate limit is
 * the request's only asynchronous step; a key it has to look up (Redis, the
 * keys service) takes the asynchronous path.
 */
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@sigil/platform';
import { policyFor, RateLimitExceeded, type LimitDecision } from '../rate-limit/limit-policy';
import { setRateLimitHeaders } from '../rate-limit/rate-limit.headers';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { AccessState } from './access-state';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { Authenticator } from './authenticator';
import { presentedCredentials, type PresentedCredentials } from './credentials';
import { RefusedApiKey } from './api-key.verifier';
import { assertIpAllowed } from './ip-allowlist';
import { usageSubjectOf, type Caller } from './request-context';
import type { RoutePolicy } from './route-policy';
import { assertScope } from './scope-check';

@Injectable()
export class AuthGuard {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly throttle: AuthFailureThrottle,
    private readonly limiter: RateLimiter,
    private readonly access: AccessState,
  ) {}

  /** Admits a request to a route of this policy (sets the rate-limit headers, the caller and its context), or rejects with the refusal. */
  admit(req: FastifyRequest, reply: FastifyReply, route: RoutePolicy): Promise<void> {
    if (route.kind === 'public') return this.admitPublic(req, reply, route.ipLimit);
    let presented: PresentedCredentials;
    let known: Caller | undefined;
    try {
      this.throttle.assertNotBlocked(req.ip);
    } catch (err) {
      return Promise.reject(err);
    }
    try {
      presented = presentedCredentials(req.headers);
      known = this.authenticator.authenticateFromMemory(presented);
    } catch (err) {
      return this.refuse(req, err);
    }
    if (known === undefined) return this.admitLookedUp(req, reply, route, presented);
    try {
      return this.admitCaller(req, reply, route, known);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private async admitPublic(req: FastifyRequest, reply: FastifyReply, ip: PublicRoutePolicy['ipLimit']): Promise<void> {
    if (ip) admit(reply, await this.limiter.check({ subject: `ip:${ip.name}:${req.ip}`, limit: ip.limit, windowMs: ip.windowMs, dayLimit: 0 }));
  }

  /** A credential that had to be looked up (Redis, the keys service). */
  private async admitLookedUp(req: FastifyRequest, reply: FastifyReply, route: AuthenticatedRoutePolicy, presented: PresentedCredentials): Promise<void> {
    let caller: Caller;
    try {
      caller = await this.authenticator.authenticate(presented, req.id);
    } catch (err) {
      return this.refuse(req, err);
    }
    return this.admitCaller(req, reply, route, caller);
  }

  /** An authenticated caller: its current state, allowlist, rate limit (the one round trip), scope, then the context. Throws a refusal found before the round trip. */
  private admitCaller(req: FastifyRequest, reply: FastifyReply, route: AuthenticatedRoutePolicy, authenticated: Caller): Promise<void> {
    const caller = this.access.current(authenticated);
    req.sigilUsage = usageSubjectOf(caller);
    // Before the rate limit: a request from a network the key excludes spends none of its quota.
    assertIpAllowed(caller, req.ip);
    return this.limiter.check(policyFor(caller, this.access.tenantOf(caller).limits)).then((decision) => {
      admit(reply, decision);
      assertScope(caller, route.required);
      // The request context (for the services) is built from it when a route first asks (requestContextOf).
      req.sigilCaller = caller;
    });
  }

  /** A failed authentication (not a missing one) counts toward the IP's limit; a success never pays for it. */
  private async refuse(req: FastifyRequest, err: unknown): Promise<never> {
    if (err instanceof DomainError && err.status === 401 && err.code !== 'missing_api_key') await this.throttle.recordFailure(req.ip);
    if (err instanceof RefusedApiKey) req.sigilUsage = { tenant_id: err.key.tenant.id, credential_id: err.key.key_id };
    throw err;
  }
}

type PublicRoutePolicy = Extract<RoutePolicy, { kind: 'public' }>;
type AuthenticatedRoutePolicy = Extract<RoutePolicy, { kind: 'authenticated' }>;

/** Sets the rate-limit headers of an admitted request; a refusal leaves as a 429 whose headers the error filter sets. */
function admit(reply: FastifyReply, decision: LimitDecision): void {
  if (!decision.admitted) throw new RateLimitExceeded(decision);
  setRateLimitHeaders(reply, decision);
}
