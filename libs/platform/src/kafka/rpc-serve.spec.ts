/** serveRpc: what a handler's value, page or error becomes as a reply, in which context it runs. */
import { Logger } from '@nestjs/common';
import { Observable, of, throwError } from 'rxjs';
import type { RequestContext, RpcReply, RpcRequest } from '@sigil/contracts';
import { Conflict, NotFound } from '../errors/domain-errors';
import { currentContext } from '../logging/request-context';
import { HandlerOutcome, Paged } from './rpc-handlers';
import type { IdempotencyLedger } from '../idempotency/idempotency-ledger';
import { serveRpc } from './rpc-serve';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ctx: RequestContext = { tenant_id: 'ten_1', mode: 'live', request_id: 'req_1', trace_id: `00-${TRACE_ID}-00f067aa0ba902b7-01` };

beforeEach(() => {
  // Keep Nest's logger quiet: unknown errors are logged on purpose.
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

function reply(handle: () => unknown, request: RpcRequest | undefined = { ctx, payload: {} }): Promise<RpcReply> {
  return serveRpc({ pattern: 'sigil.contacts.test', request, handler: () => handle() });
}

describe('serveRpc', () => {
  it('wraps a value in {data}', async () => {
    expect(await reply(() => of({ id: 'con_1' }))).toEqual({ data: { id: 'con_1' } });
    expect(await reply(() => of(null))).toEqual({ data: null });
  });

  it('replies a Paged as {data, page}', async () => {
    const page = { limit: 2, has_more: true, next_cursor: 'abc' };
    expect(await reply(() => of(new Paged([{ id: 'a' }, { id: 'b' }], page)))).toEqual({ data: [{ id: 'a' }, { id: 'b' }], page });
  });

  it('replies a DomainError as {error} with its body', async () => {
    expect(await reply(() => throwError(() => new NotFound('contact', 'con_9')))).toEqual({
      error: { status: 404, code: 'not_found', type: 'invalid_request_error', message: "No contact with id 'con_9'." },
    });
    expect(await reply(() => throwError(() => new Conflict('Taken.', { existing_id: 'con_2' })))).toEqual({
      error: expect.objectContaining({ status: 409, code: 'conflict', existing_id: 'con_2' }),
    });
  });

  it('replies an unknown error as internal_error without its message', async () => {
    const result = await reply(() => throwError(() => new Error('duplicate key value violates unique constraint "contacts_pkey"')));
    expect(result).toEqual({ error: { status: 500, code: 'internal_error', type: 'api_error', message: 'An internal error occurred.' } });
    expect(JSON.stringify(result)).not.toContain('constraint');
  });

  it('handles a handler that rejects a promise like one that throws', async () => {
    const rejected = new Observable((s) => {
      Promise.reject(new NotFound('segment', 'seg_1')).catch((e: unknown) => s.error(e));
    });
    expect(await reply(() => rejected)).toEqual({ error: expect.objectContaining({ status: 404, code: 'not_found' }) });
  });

  it('runs the handler inside the request context', async () => {
    let seen: unknown;
    await reply(
      () =>
        new Observable((s) => {
          seen = currentContext();
          s.next('ok');
          s.complete();
        }),
    );
    // No span recorded here (no tracer): the request's own traceparent, continuing the caller's trace with a new span id.
    expect(seen).toEqual({ request_id: 'req_1', trace_id: expect.stringMatching(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`)), tenant_id: 'ten_1' });
    expect((seen as { trace_id: string }).trace_id).not.toContain('00f067aa0ba902b7');
  });

  it('continues the traceparent of the Kafka headers before the one in the context', async () => {
    const other = 'a'.repeat(32);
    let seen: unknown;
    await serveRpc({
      pattern: 'sigil.contacts.test',
      request: { ctx, payload: {} },
      headers: { traceparent: Buffer.from(`00-${other}-${'b'.repeat(16)}-01`) },
      handler: () => (seen = currentContext()),
    });
    expect(seen).toMatchObject({ trace_id: expect.stringMatching(new RegExp(`^00-${other}-`)) });
  });

  it('starts a new trace when neither carries a valid traceparent', async () => {
    let seen: unknown;
    await reply(() => (seen = currentContext()), { ctx: { ...ctx, trace_id: 'not-a-traceparent' }, payload: {} });
    expect(seen).toMatchObject({ trace_id: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/) });
  });

  it('still answers when the request carries no context', async () => {
    expect(await reply(() => of(1), undefined)).toEqual({ data: 1 });
  });

  it('takes a HandlerOutcome (how @HandleRpc hands over what it returned or threw)', async () => {
    expect(await reply(() => HandlerOutcome.of(() => ({ id: 'con_1' })))).toEqual({ data: { id: 'con_1' } });
    expect(await reply(() => HandlerOutcome.of(() => Promise.reject(new NotFound('contact', 'con_2'))))).toEqual({
      error: expect.objectContaining({ status: 404, code: 'not_found' }),
    });
    expect(await reply(() => HandlerOutcome.of(() => new Paged([1], { limit: 1, has_more: false, next_cursor: null })))).toEqual({
      data: [1],
      page: { limit: 1, has_more: false, next_cursor: null },
    });
  });

  it('answers 504 without running the handler when the deadline has passed', async () => {
    let ran = false;
    const result = await reply(() => (ran = true), { ctx: { ...ctx, deadline_ms: Date.now() - 1 }, payload: {} });
    expect(ran).toBe(false);
    expect(result).toEqual({ error: expect.objectContaining({ status: 504, code: 'upstream_timeout' }) });
  });

  it('says at warn when a handler finished after the caller gave up, and not when in time', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const slow = () => new Promise((resolve) => setTimeout(() => resolve('done'), 30));
    expect(await reply(slow, { ctx: { ...ctx, deadline_ms: Date.now() + 5 }, payload: {} })).toEqual({ data: 'done' });
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'rpc handled after its deadline', pattern: 'sigil.contacts.test', request_id: 'req_1', late_ms: expect.any(Number) }),
    );
    warn.mockClear();
    await reply(slow, { ctx: { ...ctx, deadline_ms: Date.now() + 5_000 }, payload: {} });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('serveRpc with an idempotency ledger', () => {
  const keyed: RequestContext = { ...ctx, idempotency: { key: 'k'.repeat(64), fingerprint: 'f'.repeat(64) } };
  const waited = (ms: number) => new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms));

  /** A ledger with no earlier outcome whose storing of the reply takes until `finish()` (a queued connection). */
  function slowLedger() {
    let finish!: () => void;
    const complete = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const ledger = { earlierOutcome: jest.fn(async () => undefined), complete } as unknown as IdempotencyLedger;
    return { ledger, complete, finish: () => finish() };
  }

  it('replies without waiting for the ledger to store the reply, and hands that write to the caller (docs/reliability.md, "Session 12")', async () => {
    const { ledger, complete, finish } = slowLedger();
    let stored: Promise<void> | undefined;
    const served = serveRpc({
      pattern: 'sigil.contacts.create',
      request: { ctx: keyed, payload: {} },
      ledger,
      handler: () => of({ id: 'con_1' }),
      ledgerCompletion: (p) => (stored = p),
    });
    expect(await Promise.race([served, waited(200)])).toEqual({ data: { id: 'con_1' } });
    expect(complete).toHaveBeenCalledWith(expect.objectContaining({ key: keyed.idempotency!.key, pattern: 'sigil.contacts.create' }), { data: { id: 'con_1' } });
    expect(await Promise.race([stored, waited(50)])).toBe('still waiting');
    finish();
    await expect(stored).resolves.toBeUndefined();
  });

  it('waits for the ledger itself when its caller takes no ledger write', async () => {
    const { ledger, finish } = slowLedger();
    const served = serveRpc({ pattern: 'sigil.contacts.create', request: { ctx: keyed, payload: {} }, ledger, handler: () => of({ id: 'con_1' }) });
    expect(await Promise.race([served, waited(100)])).toBe('still waiting');
    finish();
    expect(await served).toEqual({ data: { id: 'con_1' } });
  });
});
