/**
 * Exact distributed rate limits: one Lua script, one Redis round trip per
 * request, checking a sliding-window log and a per-UTC-day counter atomically
 * (see rate-limit.lua and docs/rate-limits.md). Both keys of a subject carry
 * the subject as a hash tag (`…:rl:{key:key_…}:w60000`, `…:d20423`), so on a
 * Redis Cluster they live in one slot and the script never fails with
 * CROSSSLOT. Redis unreachable → fail closed (503 `rate_limiter_unavailable`)
 * unless configured to fail open. On a single Redis the checks of one turn of
 * the event loop share one socket write (limiter-batch.ts, a pipeline); on a Cluster,
 * whose subjects live on different nodes, each is sent on its own.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { DomainError, REDIS } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { limiterBatch, withTimeout, type BatchResult } from './limiter-batch';
import { DAY_MS, type LimitDecision, type LimitPolicy } from './limit-policy';

export type { LimitDecision, LimitPolicy } from './limit-policy';

const SCRIPT = readFileSync(join(__dirname, 'rate-limit.lua'), 'utf8');

type LimiterArgs = [k1: string, k2: string, limit: number, window: number, dayLimit: number, dayTtl: number, member: string];
type LimiterCommand = (...args: LimiterArgs) => Promise<number[]>;
interface LimiterPipeline {
  sigilRateLimit(...args: LimiterArgs): unknown;
  exec(): Promise<BatchResult<number[]>[] | null>;
}

/** The Redis keys of one subject's windows: one hash tag, so one Cluster slot. */
export function limiterKeys(namespace: string, policy: LimitPolicy, day: number): [window: string, day: string] {
  const base = `${namespace}:rl:{${policy.subject}}`;
  return [`${base}:w${policy.windowMs}`, `${base}:d${day}`];
}

export type LimiterSettings = Pick<GatewayConfig, 'RATE_LIMIT_ENABLED' | 'RATE_LIMIT_FAIL_OPEN' | 'RATE_LIMIT_TIMEOUT_MS'>;

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: Redis | Cluster;
  private readonly command: (args: LimiterArgs) => Promise<number[]>;
  private counter = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    @Inject(REDIS) redis: Redis | Cluster,
    @Inject(GATEWAY_CONFIG) private readonly config: LimiterSettings,
  ) {
    // EVALSHA with a fallback to EVAL (ioredis): the script is sent once per connection, not per request.
    if (!(redis as unknown as Record<string, unknown>)['sigilRateLimit']) redis.defineCommand('sigilRateLimit', { numberOfKeys: 2, lua: SCRIPT });
    this.redis = redis;
    const fn = (redis as unknown as { sigilRateLimit: LimiterCommand }).sigilRateLimit;
    const single = (args: LimiterArgs) => fn.apply(redis, args);
    if ((redis as { isCluster?: boolean }).isCluster) {
      this.command = (args) => withTimeout(single(args), config.RATE_LIMIT_TIMEOUT_MS);
    } else {
      const many = (calls: LimiterArgs[]) => {
        const pipeline = redis.pipeline() as unknown as LimiterPipeline;
        for (const args of calls) pipeline.sigilRateLimit(...args);
        return pipeline.exec();
      };
      // The batch times out as a whole: one timer per batch.
      const batch = limiterBatch<LimiterArgs, number[]>(single, many, config.RATE_LIMIT_TIMEOUT_MS);
      this.command = (args) => batch.submit(args);
    }
  }

  async check(policy: LimitPolicy, now = Date.now()): Promise<LimitDecision> {
    if (!this.config.RATE_LIMIT_ENABLED) return unlimited(policy, now);
    const day = Math.floor(now / DAY_MS);
    const dayTtl = Math.ceil(((day + 1) * DAY_MS - now) / 1000);
    const [windowKey, dayKey] = limiterKeys(KAFKA_NAMESPACE, policy, day);
    let result: number[];
    try {
      if (this.redis.status !== 'ready') throw new Error(`redis is ${this.redis.status}`);
      result = await this.command([windowKey, dayKey, policy.limit, policy.windowMs, policy.dayLimit, dayTtl, this.member()]);
    } catch (err) {
      if (this.config.RATE_LIMIT_FAIL_OPEN) {
        this.logger.error(`RATE LIMITER UNAVAILABLE, FAILING OPEN (RATE_LIMIT_FAIL_OPEN=true): ${String(err)}`);
        return unlimited(policy, now);
      }
      this.logger.warn(`rate limiter unavailable, refusing (fail closed): ${String(err)}`);
      throw new DomainError(503, 'rate_limiter_unavailable', 'Rate limiting is temporarily unavailable; retry shortly.');
    }
    const admitted = Number(result[0]);
    const remaining = Number(result[1]);
    const resetSeconds = Math.max(0, Math.ceil(Number(result[2]) / 1000));
    const dayRemaining = Number(result[3]);
    const blocked = Number(result[4]);
    const blockedBy = blocked === 1 ? 'window' : blocked === 2 ? 'day' : 'none';
    return {
      admitted: admitted === 1,
      policy,
      remaining,
      resetSeconds: resetSeconds || Math.ceil(policy.windowMs / 1000),
      dayRemaining,
      dayResetSeconds: dayTtl,
      blockedBy,
      retryAfterSeconds: blockedBy === 'day' ? dayTtl : Math.max(1, resetSeconds),
    };
  }

  private member(): string {
    this.counter = (this.counter + 1) % 1_000_000_000;
    return `${this.instance}:${this.counter}`;
  }
}

function unlimited(policy: LimitPolicy, now: number): LimitDecision {
  return {
    admitted: true,
    policy,
    remaining: policy.limit,
    resetSeconds: Math.ceil(policy.windowMs / 1000),
    dayRemaining: policy.dayLimit,
    dayResetSeconds: Math.ceil((DAY_MS - (now % DAY_MS)) / 1000),
    blockedBy: 'none',
    retryAfterSeconds: 0,
  };
}
