/**
 * One trace per client request across processes: a request carrying a known
 * W3C `traceparent` is continued by the gateway, the contacts service that
 * handles its RPC, and the `contact.created` event that it causes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApiClient, contactInput, createTenant, eventually as eventuallyHolds, EventSpy, TestStack } from '@sigil/testing';

type LogLine = Record<string, unknown>;

function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** A log line or span written by another process: present once it has been flushed. */
const eventually = <T>(probe: () => T | undefined): Promise<T> => eventuallyHolds(probe, (v) => v !== undefined, { timeoutMs: 15000, stepMs: 100 }) as Promise<T>;

describe('distributed tracing', () => {
  let stack: TestStack;
  let api: ApiClient;
  let spy: EventSpy;

  beforeAll(async () => {
    spy = await EventSpy.start();
    stack = await TestStack.start({ services: ['keys', 'contacts', 'gateway'], env: { LOG_LEVEL: 'debug' } });
    ({ api } = await createTenant(stack.gatewayUrl));
  });

  afterAll(async () => {
    await spy?.stop();
    await stack?.close();
  });

  it('continues an incoming traceparent through the gateway, the contacts service and the event it emits', async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const requestId = `trace-test-${randomBytes(4).toString('hex')}`;
    const created = await api.post('/v1/contacts', contactInput(), { traceparent: `00-${traceId}-${clientSpanId}-01`, 'x-request-id': requestId });
    expect(created.status).toBe(201);

    const gatewayLine = await eventually(() => logLines(stack.get('gateway').logFile).find((l) => l['msg'] === 'request completed' && l['request_id'] === requestId));
    expect(gatewayLine).toMatchObject({ trace_id: traceId, route: '/v1/contacts', status: 201 });
    expect(gatewayLine['span_id']).not.toBe(clientSpanId);

    const contactsLine = await eventually(() => logLines(stack.get('contacts').logFile).find((l) => l['msg'] === 'rpc handled' && l['request_id'] === requestId));
    expect(contactsLine).toMatchObject({ trace_id: traceId, outcome: 'ok' });
    expect(String(contactsLine['pattern'])).toMatch(/contacts\.create$/);

    const record = await eventually(() =>
      spy.records.find((r) => r.event.type === 'contact.created' && (r.event.data as { contact: { id: string } }).contact.id === created.body.data.id),
    );
    expect(record.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    // The event's parent is the contacts handler's span, which wrote it.
    expect(record.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-${contactsLine['span_id']}-0[01]$`));
    expect(record.headers['x-request-id']).toBe(requestId);
  });

  it('starts a new trace for a request without traceparent, and every line of that request carries it', async () => {
    const requestId = `trace-test-${randomBytes(4).toString('hex')}`;
    const created = await api.post('/v1/contacts', contactInput(), { 'x-request-id': requestId });
    expect(created.status).toBe(201);
    const gatewayLine = await eventually(() => logLines(stack.get('gateway').logFile).find((l) => l['msg'] === 'request completed' && l['request_id'] === requestId));
    expect(gatewayLine['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    const contactsLines = await eventually(() => {
      const lines = logLines(stack.get('contacts').logFile).filter((l) => l['request_id'] === requestId);
      return lines.length ? lines : undefined;
    });
    for (const line of contactsLines) expect(line['trace_id']).toBe(gatewayLine['trace_id']);
  });

  it('ignores a malformed traceparent instead of failing the request', async () => {
    const requestId = `trace-test-${randomBytes(4).toString('hex')}`;
    const res = await api.get('/v1/me', { traceparent: '00-zzzz-not-a-trace', 'x-request-id': requestId });
    expect(res.status).toBe(200);
    const line = await eventually(() => logLines(stack.get('gateway').logFile).find((l) => l['msg'] === 'request completed' && l['request_id'] === requestId));
    expect(line['trace_id']).toMatch(/^[0-9a-f]{32}$/);
  });
});
