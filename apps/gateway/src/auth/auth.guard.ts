/**
 * The gate every authenticated or public route passes first: composes the
 * request pipeline's units in order — the route's declared policy
 * (RoutePolicies, resolved once per route by the route pipeline), the failure
 * throttle per IP (AuthFailureThrottle), authentication of every presented
 * credential (Authenticator), the key's network allowlist, the rate limit
 * (RateLimiter, one Redis round trip) and the scope check — then attaches the
 * caller and the request context. Public routes may be limited per client IP
 * instead. Each unit has its own tests; this class only orders them. It is
 * not a Nest guard: the gateway's route pipeline (http/route-pipeline.ts)
 * calls `admit` for every route.
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
import { presentedCredentials } from './credentials';
import { RefusedApiKey } from './api-key.verifier';
import { assertIpAllowed } from './ip-allowlist';
import { clientOf, contextFor, usageSubjectOf, type Caller } from './request-context';
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

  /** Admits a request to a route of this policy (sets the rate-limit headers, the caller and its context), or throws the refusal. */
  async admit(req: FastifyRequest, reply: FastifyReply, route: RoutePolicy): Promise<void> {
    if (route.kind === 'public') {
      const ip = route.ipLimit;
      if (ip) admit(reply, await this.limiter.check({ subject: `ip:${ip.name}:${req.ip}`, limit: ip.limit, windowMs: ip.windowMs, dayLimit: 0 }));
      return;
    }
    const caller = this.access.current(await this.authenticate(req));
    req.sigilUsage = usageSubjectOf(caller);
    // Before the rate limit: a request from a network the key excludes spends none of its quota.
    assertIpAllowed(caller, req.ip);
    admit(reply, await this.limiter.check(policyFor(caller, this.access.tenantOf(caller).limits)));
    assertScope(caller, route.required);
    req.sigilCaller = caller;
    req.sigilContext = contextFor(caller, req.id, clientOf(req));
  }

  private async authenticate(req: FastifyRequest): Promise<Caller> {
    this.throttle.assertNotBlocked(req.ip);
    try {
      return await this.authenticator.authenticate(presentedCredentials(req.headers), req.id);
    } catch (err) {
      // A failed authentication (not a missing one) counts toward the IP's limit; a success never pays for it.
      if (err instanceof DomainError && err.status === 401 && err.code !== 'missing_api_key') await this.throttle.recordFailure(req.ip);
      if (err instanceof RefusedApiKey) req.sigilUsage = { tenant_id: err.key.tenant.id, credential_id: err.key.key_id };
      throw err;
    }
  }
}

/** Sets the rate-limit headers of an admitted request; a refusal leaves as a 429 whose headers the error filter sets. */
function admit(reply: FastifyReply, decision: LimitDecision): void {
  if (!decision.admitted) throw new RateLimitExceeded(decision);
  setRateLimitHeaders(reply, decision);
}
