/**
 * Polls until a condition holds, for what is eventually consistent (the
 * outbox relay, Kafka delivery, cache invalidation, webhook retries); fails
 * with the last value seen once the deadline passes.
 */
export interface EventuallyOptions {
  timeoutMs?: number;
  /** Pause between probes. */
  stepMs?: number;
}

/** By default a probe is satisfied by any value but `undefined`, `null` and `false`. */
const present = (value: unknown): boolean => value !== undefined && value !== null && value !== false;

export async function eventually<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean = present, options: EventuallyOptions | number = {}): Promise<T> {
  const { timeoutMs = 20_000 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const value = await pollUntil(probe, ok, options);
  if (!ok(value)) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${describe(value)}`);
  return value;
}

/**
 * Polls like `eventually` but returns the last value seen instead of throwing
 * when the deadline passes: for runners that report a failure (chaos audits,
 * the scale demo) rather than fail a test.
 */
export async function pollUntil<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean = present, options: EventuallyOptions | number = {}): Promise<T> {
  const { timeoutMs = 20_000, stepMs = 50 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}
