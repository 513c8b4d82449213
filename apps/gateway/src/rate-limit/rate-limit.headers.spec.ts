/** Every limit names its real window in headers and messages; a daily block reports the day (issues #14, #21). */
import { DAY_MS, HOUR_MS, MINUTE_MS, RateLimitExceeded, type LimitDecision, type LimitPolicy } from './limit-policy';
import { rateLimitHeaders } from './rate-limit.headers';

const perMinute: LimitPolicy = { subject: 'key:k', limit: 500, windowMs: MINUTE_MS, dayLimit: 50_000 };

function decision(over: Partial<LimitDecision>, policy = perMinute): LimitDecision {
  return { admitted: true, policy, remaining: 10, resetSeconds: 42, dayRemaining: 1000, dayResetSeconds: 7200, blockedBy: 'none', retryAfterSeconds: 0, ...over };
}

describe('rate-limit headers', () => {
  it('names the minute and day policies and reports the minute window while it binds', () => {
    const h = rateLimitHeaders(decision({}));
    expect(h['ratelimit-policy']).toBe('"minute";q=500;w=60, "day";q=50000;w=86400');
    expect(h['ratelimit']).toBe('"minute";r=10;t=42');
    expect(h).toMatchObject({ 'x-ratelimit-limit': '500', 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '42' });
    expect(h['retry-after']).toBeUndefined();
  });

  it('reports the day window, its reset and Retry-After consistently when the daily limit blocks', () => {
    const h = rateLimitHeaders(decision({ admitted: false, remaining: 499, dayRemaining: 0, blockedBy: 'day', retryAfterSeconds: 7200 }));
    expect(h['ratelimit']).toBe('"day";r=0;t=7200');
    expect(h['retry-after']).toBe('7200');
    expect(h).toMatchObject({ 'x-ratelimit-limit': '50000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7200' });
    expect(h['ratelimit-policy']).toContain('"day";q=50000;w=86400');
  });

  it('reports the day once its remainder is the smaller one', () => {
    expect(rateLimitHeaders(decision({ remaining: 400, dayRemaining: 3 }))['ratelimit']).toBe('"day";r=3;t=7200');
  });

  it('names an hourly window "hour", with Retry-After equal to its reset', () => {
    const hourly: LimitPolicy = { subject: 'ip:signup:1.2.3.4', limit: 20, windowMs: HOUR_MS, dayLimit: 0 };
    const h = rateLimitHeaders(decision({ admitted: false, remaining: 0, resetSeconds: 1955, blockedBy: 'window', retryAfterSeconds: 1955 }, hourly));
    expect(h['ratelimit-policy']).toBe('"hour";q=20;w=3600');
    expect(h['ratelimit']).toBe('"hour";r=0;t=1955');
    expect(h['retry-after']).toBe('1955');
  });
});

describe('RateLimitExceeded', () => {
  it('names the window that refused', () => {
    const hourly: LimitPolicy = { subject: 'ip:signup:1.2.3.4', limit: 20, windowMs: HOUR_MS, dayLimit: 0 };
    const byHour = new RateLimitExceeded(decision({ admitted: false, blockedBy: 'window', retryAfterSeconds: 1955 }, hourly));
    expect(byHour.message).toBe('Rate limit exceeded (per-hour limit of 20); retry in 1955 s.');
    expect(byHour.toBody()).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retry_after: 1955 });
    expect(new RateLimitExceeded(decision({ admitted: false, blockedBy: 'window', retryAfterSeconds: 3 })).message).toContain('per-minute limit of 500');
    expect(new RateLimitExceeded(decision({ admitted: false, blockedBy: 'day', retryAfterSeconds: 9 })).message).toContain('daily limit of 50000');
    const daily: LimitPolicy = { subject: 's', limit: 5, windowMs: DAY_MS, dayLimit: 0 };
    expect(new RateLimitExceeded(decision({ admitted: false, blockedBy: 'window' }, daily)).message).toContain('daily limit of 5');
  });
});
