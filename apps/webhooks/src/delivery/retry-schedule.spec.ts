import { parseDuration, parseRetryAfter, RetrySchedule } from './retry-schedule';

describe('retry schedule', () => {
  const SPEC_DEFAULT = ['5s', '5m', '30m', '2h', '5h', '10h', '10h'].map((d) => parseDuration(d)!);

  it('parses durations', () => {
    expect(SPEC_DEFAULT).toEqual([5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5d')).toBe(432000000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('follows the schedule exactly without jitter and stops after the last step', () => {
    const schedule = new RetrySchedule(SPEC_DEFAULT, 0);
    expect(schedule.maxAttempts).toBe(8);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => schedule.delayAfter(n))).toEqual(SPEC_DEFAULT);
    expect(schedule.delayAfter(8)).toBeUndefined();
  });

  it('jitters each delay within the configured fraction', () => {
    expect(new RetrySchedule(SPEC_DEFAULT, 0.2, undefined, () => 0).delayAfter(2)).toBe(240000);
    expect(new RetrySchedule(SPEC_DEFAULT, 0.2, undefined, () => 1).delayAfter(2)).toBe(360000);
    const seen = new Set(Array.from({ length: 50 }, () => new RetrySchedule(SPEC_DEFAULT, 0.2).delayAfter(1)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000);
  });

  it('honours Retry-After instead of the schedule, up to a cap', () => {
    const schedule = new RetrySchedule([100, 200], 0.5, 5000);
    expect(schedule.delayAfter(1, 150)).toBe(150);
    expect(schedule.delayAfter(1, 3000)).toBe(3000);
    expect(schedule.delayAfter(1, 10_000)).toBe(5000);
    expect(schedule.delayAfter(2, 150)).toBe(150);
    expect(schedule.delayAfter(3, 150)).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10000);
    expect(parseRetryAfter('later', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
