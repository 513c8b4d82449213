/**
 * Rate-limit response headers: the classic `X-RateLimit-*` trio and the IETF
 * `RateLimit` / `RateLimit-Policy` fields (draft-ietf-httpapi-ratelimit-headers),
 * plus `Retry-After` on refusals.
 */
import type { FastifyReply } from 'fastify';
import type { LimitDecision } from './rate-limiter';

export function setRateLimitHeaders(reply: FastifyReply, d: LimitDecision): void {
  const windowSeconds = Math.round(d.policy.windowMs / 1000);
  const remaining = d.policy.dayLimit > 0 ? Math.min(d.remaining, d.dayRemaining) : d.remaining;
  void reply.header('x-ratelimit-limit', String(d.policy.limit));
  void reply.header('x-ratelimit-remaining', String(Math.max(0, remaining)));
  void reply.header('x-ratelimit-reset', String(d.resetSeconds));
  const policies = [`"window";q=${d.policy.limit};w=${windowSeconds}`];
  if (d.policy.dayLimit > 0) policies.push(`"day";q=${d.policy.dayLimit};w=86400`);
  void reply.header('ratelimit-policy', policies.join(', '));
  void reply.header('ratelimit', `"window";r=${Math.max(0, remaining)};t=${d.resetSeconds}`);
  if (!d.admitted) void reply.header('retry-after', String(d.retryAfterSeconds));
}
