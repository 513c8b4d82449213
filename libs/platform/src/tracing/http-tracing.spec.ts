/**
 * HTTP tracing in its two modes: without recorded spans (no exporter) a
 * request gets only a `traceparent` — the incoming trace continued, or a new
 * one — and no span or context; with recorded spans, a server span active for
 * the request's whole path. Both log the request's ids on 'request completed'.
 */
import type { Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { installHttpTracing, traceparentOf, unrecordedTraceparent } from './http-tracing';
import { spansRecorded, startTracing, stopTracing } from './tracing';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const INCOMING = `00-${TRACE_ID}-${CLIENT_SPAN}-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-00$/;

interface Seen {
  traceparent?: string;
  activeTraceId?: string;
}

async function server(): Promise<{ app: FastifyInstance; lines: Record<string, unknown>[]; seen: Seen[] }> {
  const lines: Record<string, unknown>[] = [];
  const seen: Seen[] = [];
  const app = Fastify();
  installHttpTracing(app, { logRequests: true, logger: { debug: (line: Record<string, unknown>) => lines.push(line) } as unknown as Logger });
  const handler = async (req: Parameters<typeof traceparentOf>[0]) => {
    seen.push({ traceparent: traceparentOf(req), activeTraceId: trace.getActiveSpan()?.spanContext().traceId });
    return { ok: true };
  };
  app.get('/v1/things', handler);
  app.get('/health/ready', handler);
  await app.ready();
  return { app, lines, seen };
}

describe('unrecordedTraceparent', () => {
  it('continues an incoming trace with a new span id, not sampled', () => {
    const [, traceId, spanId] = TRACEPARENT.exec(unrecordedTraceparent(INCOMING))!;
    expect(traceId).toBe(TRACE_ID);
    expect(spanId).not.toBe(CLIENT_SPAN);
    expect(unrecordedTraceparent([INCOMING, 'ignored'])).toMatch(new RegExp(`^00-${TRACE_ID}-`));
  });

  it('starts a new trace without a header or with a malformed one', () => {
    for (const header of [undefined, '', '00-zzzz-not-a-trace', `00-${'0'.repeat(32)}-${CLIENT_SPAN}-01`]) {
      const traceparent = unrecordedTraceparent(header);
      expect(traceparent).toMatch(TRACEPARENT);
      expect(traceparent).not.toContain(TRACE_ID);
    }
    expect(unrecordedTraceparent(undefined)).not.toBe(unrecordedTraceparent(undefined));
  });
});

describe('installHttpTracing without recorded spans', () => {
  it('keeps a traceparent on the request, enters no span context, and logs its ids', async () => {
    expect(spansRecorded()).toBe(false);
    const { app, lines, seen } = await server();
    await app.inject({ method: 'GET', url: '/v1/things', headers: { traceparent: INCOMING, 'x-request-id': 'r1' } });
    await app.inject({ method: 'GET', url: '/health/ready' });
    const [traced, probe] = seen;
    expect(traced!.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(traced!.activeTraceId).toBeUndefined();
    expect(probe).toEqual({ traceparent: undefined, activeTraceId: undefined });
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'request completed', trace_id: TRACE_ID, span_id: traced!.traceparent!.slice(36, 52), route: '/v1/things', status: 200 }),
    ]);
    await app.close();
  });
});

describe('installHttpTracing with recorded spans', () => {
  beforeAll(() => startTracing('http-tracing-spec', { OTEL_TRACES_SAMPLER: 'always_on' }));
  afterAll(() => stopTracing());

  it('runs the request inside a server span continuing the incoming trace, and logs its ids', async () => {
    expect(spansRecorded()).toBe(true);
    const { app, lines, seen } = await server();
    await app.inject({ method: 'GET', url: '/v1/things', headers: { traceparent: INCOMING } });
    expect(seen).toEqual([{ traceparent: undefined, activeTraceId: TRACE_ID }]);
    expect(lines).toEqual([expect.objectContaining({ msg: 'request completed', trace_id: TRACE_ID, route: '/v1/things' })]);
    expect(lines[0]!['span_id']).not.toBe(CLIENT_SPAN);
    await app.close();
  });
});
