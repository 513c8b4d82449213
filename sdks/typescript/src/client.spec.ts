/**
 * The SDK's facade without a server (a fake `fetch`): what a caller passes in
 * `RequestOptions` reaches the request really sent (the AbortSignal
 * through openapi-fetch and the transport), and an error answer becomes the
 * class its code calls for where a status has two meanings (422).
 */
import { Sigil } from './client';
import { IdempotencyError, ValidationError, errorFor } from './errors';

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

  it('makes a 422 custom_field_required a ValidationError and a 422 idempotency_key_reuse an IdempotencyError', () => {
    const envelope = (code: string) => ({ error: { status: 422, code, type: 'invalid_request_error', message: 'm', request_id: 'req_1' } });
    const required = errorFor(422, envelope('custom_field_required'));
    expect(required).toBeInstanceOf(ValidationError);
    expect(required).toMatchObject({ status: 422, code: 'custom_field_required', requestId: 'req_1' });
    const reuse = errorFor(422, envelope('idempotency_key_reuse'));
    expect(reuse).toBeInstanceOf(IdempotencyError);
    expect(reuse).not.toBeInstanceOf(ValidationError);
  });
});
