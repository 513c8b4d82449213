import { context, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { JsonLogger } from '../logging/json-logger';
import { runWithContext } from '../logging/request-context';
import {
  activeTraceContextOr,
  activeTraceIds,
  currentTraceparent,
  extractTraceContext,
  injectTraceHeaders,
  injectTraceparentOr,
  inSpan,
  SpanKind,
  startSpan,
  withTraceContext,
} from './trace-context';
import { spanLine } from './json-line-span.exporter';
import { traceExportOf } from './tracing';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('trace context propagation', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(() => provider.register());
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('extracts a traceparent from Kafka headers given as Buffers', () => {
    const ctx = extractTraceContext({ traceparent: Buffer.from(TRACEPARENT), 'x-request-id': Buffer.from('req_1') });
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  });

  it('ignores a malformed traceparent and falls back to the given one only when the header is absent', () => {
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'not-a-trace' }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({}, TRACEPARENT))?.traceId).toBe(TRACE_ID);
    expect(trace.getSpanContext(extractTraceContext(undefined, undefined))).toBeUndefined();
  });

  it('injects a child span into headers: same trace id, new span id, sampled flag kept', () => {
    const { span, ctx } = startSpan('contacts.create', { kind: SpanKind.CLIENT, parent: extractTraceContext({ traceparent: TRACEPARENT }) });
    const headers = injectTraceHeaders<Record<string, string>>({ 'x-request-id': 'req_1' }, ctx);
    span.end();
    expect(headers['traceparent']).toBe(`00-${TRACE_ID}-${span.spanContext().spanId}-01`);
    expect(span.spanContext().spanId).not.toBe(PARENT_ID);
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(finished?.kind).toBe(SpanKind.CLIENT);
  });

  it('starts a new trace when there is no parent, and a round trip through headers keeps it', async () => {
    const seen = await inSpan('GET /v1/me', { kind: SpanKind.SERVER }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return { ids: activeTraceIds(), headers: injectTraceHeaders({}) };
    });
    expect(seen.ids.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const downstream = trace.getSpanContext(extractTraceContext(seen.headers));
    expect(downstream).toMatchObject({ traceId: seen.ids.trace_id, spanId: seen.ids.span_id });
  });

  it('keeps the active span across awaits, and nothing leaks outside it', async () => {
    const { span, ctx } = startSpan('rpc', { kind: SpanKind.SERVER, parent: extractTraceContext({ traceparent: TRACEPARENT }) });
    const inside = await withTraceContext(ctx, async () => {
      await new Promise((r) => setImmediate(r));
      return currentTraceparent();
    });
    span.end();
    expect(inside).toBe(`00-${TRACE_ID}-${span.spanContext().spanId}-01`);
    expect(activeTraceIds()).toEqual({});
    expect(currentTraceparent()).toBeUndefined();
  });

  it('uses an explicit traceparent only when no span is active', () => {
    expect(trace.getSpanContext(activeTraceContextOr(TRACEPARENT))?.traceId).toBe(TRACE_ID);
    const { span, ctx } = startSpan('outer', { kind: SpanKind.SERVER });
    const chosen = withTraceContext(ctx, () => activeTraceContextOr(TRACEPARENT));
    span.end();
    expect(trace.getSpanContext(chosen)?.traceId).toBe(span.spanContext().traceId);
  });

  it('passes on the explicit traceparent as the context round trip did when no span is active, the active span otherwise', () => {
    for (const given of [TRACEPARENT, `00-${TRACE_ID}-${PARENT_ID}-00`, 'not-a-traceparent', `ff-${TRACE_ID}-${PARENT_ID}-01`, undefined]) {
      expect(injectTraceparentOr({}, given)).toEqual(injectTraceHeaders({}, activeTraceContextOr(given)));
    }
    expect(injectTraceparentOr({}, TRACEPARENT)).toEqual({ traceparent: TRACEPARENT });
    const { span, ctx } = startSpan('outer', { kind: SpanKind.SERVER });
    const headers = withTraceContext(ctx, () => injectTraceparentOr<Record<string, unknown>>({}, TRACEPARENT));
    span.end();
    expect(headers['traceparent']).toContain(span.spanContext().spanId);
  });

  it("gives the request's own traceparent of the log context as the current one when no span is active (serveRpc without spans)", () => {
    expect(currentTraceparent()).toBeUndefined();
    expect(runWithContext({ trace_id: TRACEPARENT }, () => currentTraceparent())).toBe(TRACEPARENT);
    expect(runWithContext({ trace_id: 'trace-1' }, () => currentTraceparent())).toBeUndefined();
    const { span, ctx } = startSpan('outer', { kind: SpanKind.SERVER });
    const inside = withTraceContext(ctx, () => runWithContext({ trace_id: TRACEPARENT }, () => currentTraceparent()));
    span.end();
    expect(inside).toContain(span.spanContext().spanId);
  });

  it('marks a span failed when the wrapped work throws, and still ends it', async () => {
    await expect(inSpan('boom', { kind: SpanKind.CONSUMER }, async () => Promise.reject(new Error('kaput')))).rejects.toThrow('kaput');
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.status).toMatchObject({ code: 2, message: 'kaput' });
    expect(spanLine(finished!)).toMatchObject({ span: 'boom', kind: 'CONSUMER', status: 'error', trace_id: finished!.spanContext().traceId });
  });

  it('stamps trace_id and span_id of the active span on every log line', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('contacts', 'info', (l) => lines.push(l));
    const { span, ctx } = startSpan('rpc', { kind: SpanKind.SERVER, parent: extractTraceContext({ traceparent: TRACEPARENT }) });
    withTraceContext(ctx, () => logger.log('inside'));
    span.end();
    logger.log('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: 'inside', trace_id: TRACE_ID, span_id: span.spanContext().spanId });
    expect(outside).not.toHaveProperty('trace_id');
  });
});

describe('trace export configuration', () => {
  it('exports over OTLP only when an endpoint is set, to the console only when asked', () => {
    expect(traceExportOf({})).toBe('none');
    expect(traceExportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('otlp');
    expect(traceExportOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe('otlp');
    expect(traceExportOf({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    expect(traceExportOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('none');
  });
});
