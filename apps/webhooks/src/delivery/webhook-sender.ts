/**
 * The HTTP side of a delivery: one signed POST through a keep-alive
 * connection pool whose sockets may only reach addresses the target policy
 * allows (checked on the DNS answer of every new connection). Redirects are
 * not followed, the whole exchange has a deadline, and at most 64 KiB of the
 * response is read (the first 4 KiB are kept for the attempt log).
 */
import { Agent, request } from 'undici';
import { parseRetryAfter } from './retry-schedule';
import type { TargetPolicy } from './target-policy';

export const KEPT_RESPONSE_BYTES = 4096;
const MAX_READ_BYTES = 64 * 1024;

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  /** First 4 KiB of the response body. */
  responseBody: string | null;
  error: string | null;
  retryAfterMs?: number;
}

export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly policy: TargetPolicy,
    private readonly timeoutMs: number,
    connectionsPerOrigin: number,
  ) {
    this.agent = new Agent({
      connections: connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      connect: { lookup: policy.lookup, timeout: Math.min(timeoutMs, 10_000) },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /**
   * `timeoutMs`: the endpoint's own deadline (≤ 30 s), else the service's. It bounds the whole attempt, name
   * resolution and connect included: undici applies a request's abort signal only once the request reaches a
   * connection, so an attempt whose connection was still being made (a slow DNS answer, an address that drops
   * SYNs) ran to the agent's connect timeout, 10 s, against endpoints' 1-s timeouts. The attempt left behind
   * ends by itself (the signal, or the connect timeout) and its outcome is dropped.
   */
  async send(url: string, headers: Record<string, string>, body: string, timeoutMs = this.timeoutMs): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const refusal = this.policy.refusalOf(url);
    if (refusal) return { statusCode: null, latencyMs: 0, responseBody: null, error: `refused: ${refusal}` };
    // One deadline: the signal undici applies once connected, and the race that ends the attempt before that. Its
    // timer is cleared when the attempt ends: `AbortSignal.timeout` cannot be, so every attempt's signal fired its
    // deadline later anyway (a DOMException, an abort event, a rejected promise), and the sustained bench kept
    // ~20 000 of them pending at a time.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = new DOMException(`The operation was aborted due to timeout`, 'TimeoutError');
        controller.abort(reason);
        reject(reason);
      }, timeoutMs);
    });
    const attempt = this.attempt(url, headers, body, timeoutMs, controller.signal, elapsed);
    try {
      return await Promise.race([attempt, deadline]);
    } catch (err) {
      return { statusCode: null, latencyMs: elapsed(), responseBody: null, error: describe(err, timeoutMs) };
    } finally {
      clearTimeout(timer);
      attempt.catch(() => undefined);
    }
  }

  private async attempt(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal, elapsed: () => number): Promise<SendResult> {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Sigil-Webhooks/1.0', ...headers },
      body,
      dispatcher: this.agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal,
    });
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let readBytes = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      readBytes += chunk.length;
      if (keptBytes < KEPT_RESPONSE_BYTES) {
        const part = chunk.subarray(0, KEPT_RESPONSE_BYTES - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (readBytes >= MAX_READ_BYTES) {
        res.body.destroy();
        break;
      }
    }
    const retryAfter = res.headers['retry-after'];
    return {
      statusCode: res.statusCode,
      latencyMs: elapsed(),
      responseBody: keptBytes ? Buffer.concat(kept).toString('utf8') : null,
      error: null,
      retryAfterMs: res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) : undefined,
    };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  cause?: unknown;
}

/** Duck-typed: undici's errors and DOMException may come from another realm than this module's `Error`. */
function describe(err: unknown, timeoutMs: number): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const outer = err as ErrorLike;
  const inner = typeof outer.cause === 'object' && outer.cause !== null ? (outer.cause as ErrorLike) : outer;
  // A DNS query without an answer (c-ares's ETIMEOUT) is the resolver's failure, not the attempt's deadline.
  if (inner.code === 'ETIMEOUT') return `ETIMEOUT: ${inner.message}`;
  const timedOut = [outer, inner].some((e) => e.name === 'TimeoutError' || e.name === 'AbortError' || /Timeout/i.test(String(e.code)));
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  if (inner.code === 'ETARGETREFUSED') return `refused: ${inner.message}`;
  return typeof inner.code === 'string' ? `${inner.code}: ${inner.message}` : String(inner.message ?? err);
}
