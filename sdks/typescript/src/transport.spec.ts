/**
 * The SDK's transport without a server: `Retry-After` read as seconds or an
 * HTTP date, 429/503 retried after it with the same Idempotency-Key, a wait
 * beyond the limit not taken, lost connections retried, other statuses not;
 * the caller's AbortSignal reaches the request in flight and the wait
 * between attempts, and an aborted call is not retried.
 */
import { ConnectionError } from './errors';
import { abortableSleep, createTransport, retryAfterMs, type TransportOptions } from './transport';

/** `'hang'`: an answer that never comes, until the request's own signal aborts (as a real fetch does). */
type Answer = Response | Error | 'hang';

function harness(answers: Answer[], options: { maxRetries?: number; maxRetryDelayMs?: number; sleep?: TransportOptions['sleep'] } = {}) {
  const seen: Request[] = [];
  const slept: number[] = [];
  const transport = createTransport({
    apiKey: 'sg_test_key',
    maxRetries: options.maxRetries ?? 3,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
    timeoutMs: 60_000,
    fetch: async (request) => {
      seen.push(request);
      const next = answers.shift()!;
      if (next === 'hang') {
        return new Promise<Response>((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }));
      }
      if (next instanceof Error) throw next;
      return next;
    },
    sleep: options.sleep ?? (async (ms) => void slept.push(ms)),
  });
  return { transport, seen, slept };
}

const post = () => new Request('http://api.test/v1/contacts', { method: 'POST', body: '{"email":"a@b.c"}', headers: { 'content-type': 'application/json' } });

describe('SDK transport', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });

  it('retries a 429 after Retry-After, with the same Idempotency-Key and body, and the credential', async () => {
    const { transport, seen, slept } = harness([new Response('{}', { status: 429, headers: { 'retry-after': '2' } }), new Response('{}', { status: 201 })]);
    const res = await transport(post());
    expect(res.status).toBe(201);
    expect(slept).toEqual([2000]);
    expect(seen).toHaveLength(2);
    const keys = seen.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await seen[1]!.text()).toBe('{"email":"a@b.c"}');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer sg_test_key');
  });

  it('returns the 429 when Retry-After is beyond the limit, and does not retry a 400 or add a key to a GET', async () => {
    const long = harness([new Response('{}', { status: 429, headers: { 'retry-after': '120' } })], { maxRetryDelayMs: 60_000 });
    expect((await long.transport(post())).status).toBe(429);
    expect(long.slept).toEqual([]);
    const bad = harness([new Response('{}', { status: 400 })]);
    expect((await bad.transport(new Request('http://api.test/v1/contacts'))).status).toBe(400);
    expect(bad.seen).toHaveLength(1);
    expect(bad.seen[0]!.headers.get('idempotency-key')).toBeNull();
  });

  it('retries a lost connection, then gives up with a ConnectionError', async () => {
    const flaky = harness([new TypeError('fetch failed'), new Response('{}', { status: 503 }), new Response('{}', { status: 200 })]);
    expect((await flaky.transport(post())).status).toBe(200);
    expect(flaky.slept).toHaveLength(2);
    const down = harness([new TypeError('a'), new TypeError('b')], { maxRetries: 1 });
    await expect(down.transport(post())).rejects.toBeInstanceOf(ConnectionError);
  });

  it("aborts the request in flight with the caller's signal, rejecting with its reason, without a retry", async () => {
    const { transport, seen } = harness(['hang', new Response('{}', { status: 200 })]);
    const caller = new AbortController();
    const call = transport(new Request('http://api.test/v1/contacts/con_1', { signal: caller.signal }));
    await new Promise((resolve) => setImmediate(resolve)); // the request is in flight
    expect(seen).toHaveLength(1);
    expect(seen[0]!.signal.aborted).toBe(false);
    const reason = new Error('the user left the page');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('does not send a call aborted before it starts, and cuts a Retry-After wait short', async () => {
    const before = harness([new Response('{}', { status: 200 })]);
    const gone = new AbortController();
    gone.abort(new Error('already'));
    await expect(before.transport(new Request('http://api.test/v1/me', { signal: gone.signal }))).rejects.toThrow('already');
    expect(before.seen).toHaveLength(0);

    const caller = new AbortController();
    const reason = new Error('cancelled while waiting');
    // A 30-second Retry-After: the abort lands while the real timer runs, and no second attempt is made.
    const waiting = harness([new Response('{}', { status: 429, headers: { 'retry-after': '30' } }), new Response('{}', { status: 201 })], {
      sleep: (ms, signal) => {
        const wait = abortableSleep(ms, signal);
        caller.abort(reason);
        return wait;
      },
    });
    await expect(waiting.transport(new Request('http://api.test/v1/contacts', { method: 'POST', body: '{}', signal: caller.signal }))).rejects.toBe(reason);
    expect(waiting.seen).toHaveLength(1);
  });
});
