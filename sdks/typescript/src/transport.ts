/**
 * What every request of the SDK goes through, as a `fetch` for the generated
 * openapi-fetch client: the credential, an `Idempotency-Key` on every POST
 * (kept across retries, so a retried create never creates twice), and
 * retries of 429/503 answers and lost connections that honour `Retry-After`
 * (exponential backoff with jitter when the server does not say). The
 * caller's AbortSignal (`RequestOptions.signal`) reaches every attempt and
 * every wait between them: an aborted call rejects with the signal's reason
 * and is never retried.
 */
import { ConnectionError } from './errors';

export interface TransportOptions {
  /** An API key or session access token, or a function giving the current one (a refreshed session). */
  apiKey: string | (() => string | Promise<string>);
  /** Retries after the first attempt (default 3). */
  maxRetries: number;
  /** A `Retry-After` longer than this is not waited for: the 429/503 is returned (default 60 s). */
  maxRetryDelayMs: number;
  /** Per attempt (default 30 s). */
  timeoutMs: number;
  fetch: (request: Request) => Promise<Response>;
  /** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  userAgent?: string;
}

const RETRIED_STATUSES = new Set([429, 503]);

function randomKey(): string {
  return globalThis.crypto.randomUUID();
}

/** Seconds or an HTTP date → milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The default `sleep`: a timer that an abort cuts short. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function backoffMs(attempt: number): number {
  const base = Math.min(8000, 500 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

export function createTransport(options: TransportOptions): (request: Request) => Promise<Response> {
  return async (input: Request) => {
    const headers = new Headers(input.headers);
    if (!headers.has('authorization') && !headers.has('x-api-key')) {
      const credential = typeof options.apiKey === 'function' ? await options.apiKey() : options.apiKey;
      headers.set('authorization', `Bearer ${credential}`);
    }
    if (input.method === 'POST' && !headers.has('idempotency-key')) headers.set('idempotency-key', randomKey());
    if (options.userAgent && !headers.has('user-agent')) headers.set('user-agent', options.userAgent);
    // Buffer the body once so every attempt sends the same bytes.
    const body = input.body === null ? undefined : await input.arrayBuffer();
    // The caller's signal (openapi-fetch puts `RequestOptions.signal` on the Request it hands us).
    const caller = input.signal;
    for (let attempt = 0; ; attempt++) {
      caller.throwIfAborted();
      const signal = AbortSignal.any([caller, AbortSignal.timeout(options.timeoutMs)]);
      let response: Response;
      try {
        response = await options.fetch(new Request(input.url, { method: input.method, headers, body, signal }));
      } catch (err) {
        // The caller gave up: no retry, and their reason, not a ConnectionError.
        caller.throwIfAborted();
        // A POST without its key could run twice; every other method is safe to repeat, and POSTs carry one.
        if (attempt >= options.maxRetries) throw new ConnectionError(`${input.method} ${input.url} failed: ${(err as Error).message}`, { cause: err });
        await options.sleep(backoffMs(attempt), caller);
        continue;
      }
      if (!RETRIED_STATUSES.has(response.status) || attempt >= options.maxRetries) return response;
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? backoffMs(attempt);
      if (wait > options.maxRetryDelayMs) return response;
      await response.body?.cancel();
      await options.sleep(wait, caller);
    }
  };
}
