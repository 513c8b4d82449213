/**
 * What a limit is (subject, quota, window, daily quota) and how a refusal is
 * worded: every message, header and `Retry-After` names the window that really
 * refused — per minute, per hour or per day (issue #21: the hourly signup limit
 * used to call itself per-minute).
 */
import type { TenantLimits } from '@sigil/contracts';
import { DomainError } from '@sigil/platform';
import type { Caller } from '../auth/request-context';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface LimitPolicy {
  /** Identifies the limited subject, e.g. `key:key_…` or `ip:login:1.2.3.4`; also the Redis hash tag. */
  subject: string;
  limit: number;
  windowMs: number;
  /** 0: no daily limit. */
  dayLimit: number;
}

export interface LimitDecision {
  admitted: boolean;
  policy: LimitPolicy;
  /** Left in the sliding window. */
  remaining: number;
  /** Seconds until the sliding window frees a request. */
  resetSeconds: number;
  dayRemaining: number;
  /** Seconds until the UTC day (and so the daily counter) ends. */
  dayResetSeconds: number;
  blockedBy: 'none' | 'window' | 'day';
  /** Seconds a refused client should wait. */
  retryAfterSeconds: number;
}

/** The window's name in headers (`RateLimit-Policy`) and messages: `minute`, `hour`, `day`, else `<n>s`. */
export function windowName(windowMs: number): string {
  if (windowMs === MINUTE_MS) return 'minute';
  if (windowMs === HOUR_MS) return 'hour';
  if (windowMs === DAY_MS) return 'day';
  return `${Math.round(windowMs / 1000)}s`;
}

function windowAdjective(windowMs: number): string {
  if (windowMs === DAY_MS) return 'daily';
  const name = windowName(windowMs);
  return /^\d/.test(name) ? `per-${name.slice(0, -1)}-second` : `per-${name}`;
}

/** The caller's limits: the tenant's (its plan's or the operator's custom ones), lowered by the key's own limit if it has one. */
export function policyFor(caller: Caller, tenant: TenantLimits): LimitPolicy {
  if (caller.kind === 'api_key') {
    const own = caller.key.rate_limit_per_minute;
    return {
      subject: `key:${caller.key.key_id}`,
      limit: own ? Math.min(own, tenant.requests_per_minute) : tenant.requests_per_minute,
      windowMs: MINUTE_MS,
      dayLimit: tenant.requests_per_day,
    };
  }
  return { subject: `user:${caller.claims.sub}`, limit: tenant.requests_per_minute, windowMs: MINUTE_MS, dayLimit: tenant.requests_per_day };
}

/**
 * The 429 for a refused decision, naming the window that refused and when to
 * retry; it carries the decision so the error filter sets the same headers
 * (`Retry-After`, `RateLimit`, `RateLimit-Policy`) as an admitted request gets.
 */
export class RateLimitExceeded extends DomainError {
  constructor(
    readonly decision: LimitDecision,
    what = 'Rate limit exceeded',
  ) {
    const byDay = decision.blockedBy === 'day';
    const adjective = byDay ? 'daily' : windowAdjective(decision.policy.windowMs);
    const quota = byDay ? decision.policy.dayLimit : decision.policy.limit;
    super(429, 'rate_limit_exceeded', `${what} (${adjective} limit of ${quota}); retry in ${decision.retryAfterSeconds} s.`, undefined, {
      retry_after: decision.retryAfterSeconds,
    });
  }
}
