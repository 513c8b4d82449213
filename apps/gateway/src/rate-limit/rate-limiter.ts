/**
 * Exact distributed rate limits: one Lua script, one Redis round trip per
 * request, checking a per-minute sliding-window log and a per-UTC-day counter
 * atomically (see rate-limit.lua and docs/rate-limits.md). Redis unreachable →
 * fail closed (503 `rate_limiter_unavailable`) unless configured to fail open.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { DomainError, REDIS } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

const SCRIPT = readFileSync(join(__dirname, 'rate-limit.lua'), 'utf8');
const DAY_MS = 86_400_000;

export interface LimitPolicy {
  /** Identifies the limited subject, e.g. `key:key_…` or `ip:login:1.2.3.4`. */
  subject: string;
  limit: number;
  windowMs: number;
  /** 0: no daily limit. */
  dayLimit: number;
}

export interface LimitDecision {
  admitted: boolean;
  policy: LimitPolicy;
  remaining: number;
  /** Seconds until the window frees a request. */
  resetSeconds: number;
  dayRemaining: number;
  blockedBy: 'none' | 'window' | 'day';
  /** Seconds a refused client should wait. */
  retryAfterSeconds: number;
}

type RedisWithLimiter = Redis & {
  sigilRateLimit(k1: string, k2: string, limit: number, window: number, dayLimit: number, dayTtl: number, member: string): Promise<number[]>;
};

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: RedisWithLimiter;
  private counter = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    redis.defineCommand('sigilRateLimit', { numberOfKeys: 2, lua: SCRIPT });
    this.redis = redis as RedisWithLimiter;
  }

  async check(policy: LimitPolicy, now = Date.now()): Promise<LimitDecision> {
    if (!this.config.RATE_LIMIT_ENABLED) return this.unlimited(policy);
    const day = Math.floor(now / DAY_MS);
    const dayTtl = Math.ceil(((day + 1) * DAY_MS - now) / 1000);
    const base = `${KAFKA_NAMESPACE}:rl:${policy.subject}`;
    let result: number[];
    try {
      if (this.redis.status !== 'ready') throw new Error(`redis is ${this.redis.status}`);
      result = await this.withTimeout(
        this.redis.sigilRateLimit(`${base}:w${policy.windowMs}`, `${base}:d${day}`, policy.limit, policy.windowMs, policy.dayLimit, dayTtl, this.member()),
      );
    } catch (err) {
      if (this.config.RATE_LIMIT_FAIL_OPEN) {
        this.logger.error(`RATE LIMITER UNAVAILABLE, FAILING OPEN (RATE_LIMIT_FAIL_OPEN=true): ${String(err)}`);
        return this.unlimited(policy);
      }
      throw new DomainError(503, 'rate_limiter_unavailable', 'Rate limiting is temporarily unavailable; retry shortly.');
    }
    const [admitted, remaining, resetMs, dayRemaining, blocked] = result.map(Number) as [number, number, number, number, number];
    const resetSeconds = Math.max(0, Math.ceil(resetMs / 1000));
    const blockedBy = blocked === 1 ? 'window' : blocked === 2 ? 'day' : 'none';
    return {
      admitted: admitted === 1,
      policy,
      remaining,
      resetSeconds: resetSeconds || Math.ceil(policy.windowMs / 1000),
      dayRemaining,
      blockedBy,
      retryAfterSeconds: blockedBy === 'day' ? dayTtl : Math.max(1, resetSeconds),
    };
  }

  private member(): string {
    this.counter = (this.counter + 1) % 1_000_000_000;
    return `${this.instance}:${this.counter}`;
  }

  private unlimited(policy: LimitPolicy): LimitDecision {
    return {
      admitted: true,
      policy,
      remaining: policy.limit,
      resetSeconds: Math.ceil(policy.windowMs / 1000),
      dayRemaining: policy.dayLimit,
      blockedBy: 'none',
      retryAfterSeconds: 0,
    };
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('rate limiter timed out')), this.config.RATE_LIMIT_TIMEOUT_MS);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}
