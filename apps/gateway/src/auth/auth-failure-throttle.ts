/**
 * Refuses a client IP that keeps failing authentication (key or token
 * guessing): failures are counted in Redis per IP and minute (only failures
 * pay for that round trip), and an IP over `AUTH_FAILURES_PER_IP_PER_MINUTE`
 * is remembered here until its window frees, so it is refused without any
 * round trip — even with a good key. The block list is bounded
 * (`AUTH_BLOCKLIST_MAX_ENTRIES`, so a spread-out attack cannot grow it without
 * end): when full, the oldest entry goes, which (one window length for all) is
 * the one that expires first. An evicted IP is refused again at its next
 * failure, since Redis still holds its count.
 */
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { MINUTE_MS, RateLimitExceeded, type LimitDecision } from '../rate-limit/limit-policy';
import { RateLimiter } from '../rate-limit/rate-limiter';

export const TOO_MANY_FAILURES = 'Too many failed authentication attempts from this address';

type ThrottleConfig = Pick<GatewayConfig, 'AUTH_FAILURES_PER_IP_PER_MINUTE' | 'AUTH_BLOCKLIST_MAX_ENTRIES'>;

@Injectable()
export class AuthFailureThrottle {
  /** IP → epoch ms until which it is refused; insertion order = expiry order. */
  private readonly blocked = new Map<string, { until: number; decision: LimitDecision }>();

  constructor(
    private readonly limiter: RateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: ThrottleConfig,
  ) {}

  get size(): number {
    return this.blocked.size;
  }

  /** Throws 429 while the IP is blocked here. Synchronous: no round trip for anyone. */
  assertNotBlocked(ip: string, now = Date.now()): void {
    if (this.blocked.size === 0) return;
    const entry = this.blocked.get(ip);
    if (entry === undefined) return;
    if (entry.until <= now) {
      this.blocked.delete(ip);
      return;
    }
    throw this.refusal(entry.decision, Math.ceil((entry.until - now) / 1000));
  }

  /** Counts a failed authentication; throws 429 (and blocks the IP here) once the IP is over its limit. */
  async recordFailure(ip: string, now = Date.now()): Promise<void> {
    const decision = await this.limiter.check({ subject: `authfail:${ip}`, limit: this.config.AUTH_FAILURES_PER_IP_PER_MINUTE, windowMs: MINUTE_MS, dayLimit: 0 }, now);
    if (decision.admitted) return;
    this.block(ip, now + decision.retryAfterSeconds * 1000, decision);
    throw this.refusal(decision, decision.retryAfterSeconds);
  }

  private block(ip: string, until: number, decision: LimitDecision): void {
    this.blocked.delete(ip); // re-insert at the end: insertion order stays expiry order
    while (this.blocked.size >= this.config.AUTH_BLOCKLIST_MAX_ENTRIES) {
      const oldest = this.blocked.keys().next().value as string;
      this.blocked.delete(oldest);
    }
    this.blocked.set(ip, { until, decision });
  }

  private refusal(decision: LimitDecision, retryAfter: number): RateLimitExceeded {
    return new RateLimitExceeded({ ...decision, resetSeconds: retryAfter, retryAfterSeconds: retryAfter }, TOO_MANY_FAILURES);
  }
}
