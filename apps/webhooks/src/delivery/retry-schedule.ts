/**
 * When to try a failed delivery again: the configured schedule (SPEC §7
 * default 5s, 5m, 30m, 2h, 5h, 10h, 10h) with random jitter so that a
 * receiver coming back up is not hit by every retry at the same instant; a
 * receiver's `Retry-After` (on 429/503) replaces the scheduled delay.
 */
import { parseDuration } from '@sigil/contracts';

export { parseDuration };

export class RetrySchedule {
  constructor(
    /** Delays after the 1st, 2nd, … failed attempt. */
    readonly delaysMs: readonly number[],
    private readonly jitter: number,
    /** A receiver cannot park a delivery for longer than this with Retry-After. */
    private readonly maxRetryAfterMs = 24 * 3_600_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The same jitter and Retry-After cap with an endpoint's own delays. */
  withDelays(delaysMs: readonly number[]): RetrySchedule {
    return new RetrySchedule(delaysMs, this.jitter, this.maxRetryAfterMs, this.random);
  }

  /** Total attempts a delivery gets before it is `failed`. */
  get maxAttempts(): number {
    return this.delaysMs.length + 1;
  }

  /**
   * Delay before the next attempt after `failedAttempts` failures, or
   * undefined when none is left. `retryAfterMs` (from the receiver) wins over
   * the schedule, up to a cap.
   */
  delayAfter(failedAttempts: number, retryAfterMs?: number): number | undefined {
    const base = this.delaysMs[failedAttempts - 1];
    if (base === undefined) return undefined;
    if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), this.maxRetryAfterMs);
    const factor = 1 + this.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(base * factor));
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined if absent or invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
