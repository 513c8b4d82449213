/** The per-IP authentication-failure throttle and its bounded block list (issue #20). */
import { MINUTE_MS, RateLimitExceeded, type LimitDecision, type LimitPolicy } from '../rate-limit/limit-policy';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { AuthFailureThrottle } from './auth-failure-throttle';

/** A limiter stand-in counting per subject (the real one is tested on Redis). */
function countingLimiter(limit: number) {
  const counts = new Map<string, number>();
  const checked: LimitPolicy[] = [];
  const limiter = {
    check: async (policy: LimitPolicy): Promise<LimitDecision> => {
      checked.push(policy);
      const n = (counts.get(policy.subject) ?? 0) + 1;
      counts.set(policy.subject, n);
      const admitted = n <= limit;
      return {
        admitted,
        policy,
        remaining: Math.max(0, limit - n),
        resetSeconds: 30,
        dayRemaining: 0,
        dayResetSeconds: 0,
        blockedBy: admitted ? 'none' : 'window',
        retryAfterSeconds: admitted ? 0 : 30,
      };
    },
  } as unknown as RateLimiter;
  return { limiter, checked };
}

describe('AuthFailureThrottle', () => {
  it('refuses an IP over its failure limit, then without any round trip until the window frees', async () => {
    const { limiter, checked } = countingLimiter(2);
    const throttle = new AuthFailureThrottle(limiter, { AUTH_FAILURES_PER_IP_PER_MINUTE: 2, AUTH_BLOCKLIST_MAX_ENTRIES: 10 });
    const now = 1_000_000;
    await throttle.recordFailure('1.2.3.4', now);
    await throttle.recordFailure('1.2.3.4', now);
    await expect(throttle.recordFailure('1.2.3.4', now)).rejects.toBeInstanceOf(RateLimitExceeded);
    expect(checked[0]).toMatchObject({ subject: 'authfail:1.2.3.4', limit: 2, windowMs: MINUTE_MS, dayLimit: 0 });
    const before = checked.length;
    let refusal: RateLimitExceeded | undefined;
    try {
      throttle.assertNotBlocked('1.2.3.4', now + 10_000);
    } catch (err) {
      refusal = err as RateLimitExceeded;
    }
    expect(refusal?.status).toBe(429);
    expect(refusal?.decision.retryAfterSeconds).toBe(20);
    expect(refusal?.message).toContain('per-minute limit of 2');
    expect(checked.length).toBe(before);
    expect(() => throttle.assertNotBlocked('5.6.7.8', now)).not.toThrow();
    expect(() => throttle.assertNotBlocked('1.2.3.4', now + 30_001)).not.toThrow();
    expect(throttle.size).toBe(0);
  });

  it('keeps at most AUTH_BLOCKLIST_MAX_ENTRIES IPs, dropping the oldest', async () => {
    const { limiter } = countingLimiter(0);
    const throttle = new AuthFailureThrottle(limiter, { AUTH_FAILURES_PER_IP_PER_MINUTE: 1, AUTH_BLOCKLIST_MAX_ENTRIES: 3 });
    for (let i = 0; i < 1000; i++) await throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`, 5_000).catch(() => undefined);
    expect(throttle.size).toBe(3);
    expect(() => throttle.assertNotBlocked('10.0.0.0', 5_000)).not.toThrow();
    expect(() => throttle.assertNotBlocked('10.0.3.231', 5_000)).toThrow(RateLimitExceeded);
  });
});
