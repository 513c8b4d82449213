/**
 * Authenticates every request, rate-limits it and checks the route's declared
 * scope. `Authorization: Bearer <API key | access JWT>` or `X-API-Key: <API key>`.
 * The credential alone decides tenant and mode; nothing in the request can.
 * Public routes may be limited per client IP; an IP that keeps failing
 * authentication is refused for a while (key guessing).
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasScope, PLANS, type Scope } from '@sigil/contracts';
import { DomainError, Forbidden, looksLikeApiKey, PUBLIC_ROUTE, Unauthenticated, verifyAccessToken } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { IP_LIMIT, ipLimitValue, type IpLimit } from '../rate-limit/ip-limit.decorator';
import { setRateLimitHeaders } from '../rate-limit/rate-limit.headers';
import { RateLimiter, type LimitDecision, type LimitPolicy } from '../rate-limit/rate-limiter';
import { ApiKeyVerifier } from './api-key.verifier';
import type { Caller } from './request-context';
import { ANY_SCOPE, REQUIRED_SCOPE } from './scopes.decorator';

@Injectable()
export class AuthGuard implements CanActivate {
  /** IPs over the authentication-failure limit, until when (per replica; Redis holds the count). */
  private readonly blockedIps = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: ApiKeyVerifier,
    private readonly limiter: RateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      const ipLimit = this.reflector.getAllAndOverride<IpLimit | undefined>(IP_LIMIT, targets);
      if (ipLimit) {
        const policy = { subject: `ip:${ipLimit.name}:${req.ip}`, limit: ipLimitValue(this.config, ipLimit), windowMs: ipLimit.windowMs, dayLimit: 0 };
        this.enforce(reply, await this.limiter.check(policy));
      }
      return true;
    }
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    if (!required && !this.reflector.getAllAndOverride<boolean>(ANY_SCOPE, targets)) {
      // A route without a declared scope is a programming error; fail closed.
      throw new Error(`route ${context.getClass().name}.${context.getHandler().name} declares no scope`);
    }
    const caller = await this.authenticateGuarded(req);
    this.enforce(reply, await this.limiter.check(policyFor(caller)));
    const scopes = caller.kind === 'api_key' ? caller.key.scopes : ['*'];
    if (required && !hasScope(scopes, required)) {
      throw new Forbidden('insufficient_scope', `This request needs the '${required}' scope.`, { required_scope: required });
    }
    req.sigilCaller = caller;
    req.sigilContext =
      caller.kind === 'api_key'
        ? {
            tenant_id: caller.key.tenant.id,
            mode: caller.key.environment,
            request_id: req.id,
            principal: { kind: 'api_key', id: caller.key.key_id, scopes },
          }
        : { tenant_id: caller.claims.tid, mode: caller.claims.mode, request_id: req.id, principal: { kind: 'user', id: caller.claims.sub, scopes } };
    return true;
  }

  private enforce(reply: FastifyReply, decision: LimitDecision): void {
    setRateLimitHeaders(reply, decision);
    if (!decision.admitted) {
      const what = decision.blockedBy === 'day' ? 'daily' : 'per-minute';
      throw new DomainError(429, 'rate_limit_exceeded', `Rate limit exceeded (${what} limit of ${decision.blockedBy === 'day' ? decision.policy.dayLimit : decision.policy.limit}).`, undefined, {
        retry_after: decision.retryAfterSeconds,
      });
    }
  }

  private async authenticateGuarded(req: FastifyRequest): Promise<Caller> {
    const blockedUntil = this.blockedIps.get(req.ip);
    if (blockedUntil !== undefined) {
      if (blockedUntil > Date.now()) throw tooManyFailures(Math.ceil((blockedUntil - Date.now()) / 1000));
      this.blockedIps.delete(req.ip);
    }
    try {
      return await this.authenticate(req);
    } catch (err) {
      if (err instanceof DomainError && err.status === 401 && err.code !== 'missing_api_key') {
        // Only failures pay for this round trip; a successful request never does.
        const decision = await this.limiter.check({ subject: `authfail:${req.ip}`, limit: this.config.AUTH_FAILURES_PER_IP_PER_MINUTE, windowMs: 60_000, dayLimit: 0 });
        if (!decision.admitted) {
          this.blockedIps.set(req.ip, Date.now() + decision.retryAfterSeconds * 1000);
          throw tooManyFailures(decision.retryAfterSeconds);
        }
      }
      throw err;
    }
  }

  private async authenticate(req: FastifyRequest): Promise<Caller> {
    const credential = extractCredential(req);
    if (!credential) throw new Unauthenticated('missing_api_key', 'No API key provided. Send `Authorization: Bearer <key>`.');
    if (looksLikeApiKey(credential.value) || credential.from === 'x-api-key') {
      return { kind: 'api_key', key: await this.verifier.verify(credential.value, req.id) };
    }
    const claims = verifyAccessToken(credential.value, this.config.JWT_SECRET);
    if (!claims) throw new Unauthenticated('invalid_token', 'The access token is invalid or expired.');
    return { kind: 'user', claims };
  }
}

function tooManyFailures(retryAfter: number): DomainError {
  return new DomainError(429, 'rate_limit_exceeded', 'Too many failed authentication attempts from this address.', undefined, { retry_after: retryAfter });
}

/** The caller's limits: the tenant's plan, lowered by the key's own limit if it has one. */
export function policyFor(caller: Caller): LimitPolicy {
  if (caller.kind === 'api_key') {
    const plan = PLANS[caller.key.tenant.plan];
    const own = caller.key.rate_limit_per_minute;
    return {
      subject: `key:${caller.key.key_id}`,
      limit: own ? Math.min(own, plan.requests_per_minute) : plan.requests_per_minute,
      windowMs: 60_000,
      dayLimit: plan.requests_per_day,
    };
  }
  const plan = PLANS[caller.claims.plan];
  return { subject: `user:${caller.claims.sub}`, limit: plan.requests_per_minute, windowMs: 60_000, dayLimit: plan.requests_per_day };
}

function extractCredential(req: FastifyRequest): { value: string; from: 'authorization' | 'x-api-key' } | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) throw new Unauthenticated('invalid_api_key', 'Use `Authorization: Bearer <credential>`.');
    return { value: match[1]!, from: 'authorization' };
  }
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.length) return { value: key.trim(), from: 'x-api-key' };
  return undefined;
}
