/**
 * Rate-limit response headers: the classic `X-RateLimit-*` trio and the IETF
 * `RateLimit` / `RateLimit-Policy` fields (draft-ietf-httpapi-ratelimit-headers),
 * plus `Retry-After` on refusals. Policies are named after their window
 * (`"minute"`, `"hour"`, `"day"`). `RateLimit` and the `X-RateLimit-*` trio
 * describe the window closest to exhaustion — the day once its remainder is
 * the smaller one, and always when the day refused — so `t`, `X-RateLimit-Reset`
 * and `Retry-After` agree.
 */
import type { FastifyReply } from 'fastify';
import { DAY_MS, windowName, type LimitDecision } from './limit-policy';

export type RateLimitHeaderValues = Record<string, string>;

export function rateLimitHeaders(d: LimitDecision): RateLimitHeaderValues {
  const { policy } = d;
  const name = windowName(policy.windowMs);
  const hasDay = policy.dayLimit > 0;
  const dayBinds = hasDay && (d.blockedBy === 'day' || (d.blockedBy === 'none' && d.dayRemaining < d.remaining));
  const limit = dayBinds ? policy.dayLimit : policy.limit;
  const remaining = Math.max(0, dayBinds ? d.dayRemaining : hasDay ? Math.min(d.remaining, d.dayRemaining) : d.remaining);
  const reset = dayBinds ? d.dayResetSeconds : d.resetSeconds;
  let policies = `"${name}";q=${policy.limit};w=${Math.round(policy.windowMs / 1000)}`;
  if (hasDay) policies += `, "day";q=${policy.dayLimit};w=${DAY_MS / 1000}`;
  const headers: RateLimitHeaderValues = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(reset),
    'ratelimit-policy': policies,
    ratelimit: `"${dayBinds ? 'day' : name}";r=${remaining};t=${reset}`,
  };
  if (!d.admitted) headers['retry-after'] = String(d.retryAfterSeconds);
  return headers;
}

export function setRateLimitHeaders(reply: FastifyReply, d: LimitDecision): void {
  void reply.headers(rateLimitHeaders(d));
}
