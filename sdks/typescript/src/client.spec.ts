/**
 * The SDK's facade without a server (a fake `fetch`): what a caller passes in
 * `RequestOptions` reaches the request really sent (the AbortSignal
 * through openapi-fetch and the transport).
 */
import { Sigil } from './client';

describe('SDK facade', () => {
  it("carries RequestOptions.signal to the fetch: aborting the call aborts the request and rejects with the caller's reason", async () => {
    const sent: Request[] = [];
    const sigil = new Sigil({
      apiKey: 'sg_test_key',
      baseUrl: 'http://api.test',
      fetch: (request) => {
        sent.push(request);
        return new Promise<Response>((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }));
      },
    });
    const caller = new AbortController();
    const call = sigil.contacts.get('con_1', { signal: caller.signal, headers: { 'x-trace': 't1' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map((r) => [r.method, r.url, r.headers.get('x-trace')])).toEqual([['GET', 'http://api.test/v1/contacts/con_1', 't1']]);
    expect(sent[0]!.signal.aborted).toBe(false);
    const reason = new Error('navigated away');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(sent).toHaveLength(1);
  });

});
