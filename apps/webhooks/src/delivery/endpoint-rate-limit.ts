/**
 * An endpoint's `rate_limit_per_second`, exact across webhooks replicas and
 * as the receiver sees it: one Redis sorted set per endpoint holds the sends
 * that count against the limit. A send is in it from the moment it is admitted
 * until one second after it completed (while in flight its score is its
 * latest possible completion, so a crashed worker's entry still expires), and
 * a new send is admitted only while fewer than the limit are in it. Whatever
 * the network and scheduling delays between admission and arrival, no second
 * of arrivals at the receiver can then hold more than the limit: every send
 * arriving in that second is still counted when the last of them is
 * admitted. Check-and-record is one Lua call on Redis's clock, so replicas
 * agree. A refused send learns how long until the oldest entry leaves and
 * waits that long without spending an attempt.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';

const WINDOW_US = 1_000_000;

// KEYS: log. ARGV: limit, member, longest attempt (ms). Returns 0 when admitted, else ms until a send may start.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${WINDOW_US})
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]) * 1000, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 2000)
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(1, math.ceil((oldest + ${WINDOW_US} - now) / 1000))`;

// KEYS: log. ARGV: member. The send completed now: it counts for one more second.
const COMPLETE = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[1])
return 1`;

type WithScripts = Redis & {
  webhookRateAdmit(log: string, limit: number, member: string, longestMs: number): Promise<number>;
  webhookRateComplete(log: string, member: string): Promise<number>;
};

export type RateAdmission = { admitted: false; waitMs: number } | { admitted: true; complete: () => Promise<void> };

export class EndpointRateLimit {
  private readonly redis: WithScripts;

  constructor(redis: Redis) {
    redis.defineCommand('webhookRateAdmit', { numberOfKeys: 1, lua: ADMIT });
    redis.defineCommand('webhookRateComplete', { numberOfKeys: 1, lua: COMPLETE });
    this.redis = redis as WithScripts;
  }

  /**
   * Admitted: `complete` must be called when the send has finished.
   * Refused: `waitMs` until a send may be admitted. `longestMs`: the attempt's deadline.
   */
  async admit(endpointId: string, limitPerSecond: number, longestMs: number): Promise<RateAdmission> {
    const key = `${WEBHOOK_QUEUE_PREFIX}:rate:{${endpointId}}`;
    const member = randomBytes(8).toString('hex');
    const waitMs = await this.redis.webhookRateAdmit(key, limitPerSecond, member, longestMs + 1000);
    if (waitMs > 0) return { admitted: false, waitMs };
    return { admitted: true, complete: async () => void (await this.redis.webhookRateComplete(key, member)) };
  }
}
