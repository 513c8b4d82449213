/**
 * Carrying the W3C trace context across Sigil's hops: HTTP headers, Kafka
 * request and event headers, BullMQ job data. Spans are started here so every
 * hop names and ends them the same way. Works whether or not a tracer
 * provider is registered: without one, an incoming trace id is still passed on.
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type TextMapGetter } from '@opentelemetry/api';
import { parseTraceParent, W3CTraceContextPropagator } from '@opentelemetry/core';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { currentContext } from '../logging/request-context';

export { SpanKind };
export type { Context as TraceContext, Span };

/** Kafka headers arrive as Buffers (or arrays of them); HTTP headers as strings. */
export type CarrierValue = string | Buffer | (string | Buffer)[] | undefined;
export type TraceCarrier = Record<string, CarrierValue>;

const w3c = new W3CTraceContextPropagator();
const TRACER = 'sigil';

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  },
};

/** The context of a `traceparent` (and `tracestate`) in these headers, or the root context. */
export function extractTraceContext(carrier: TraceCarrier | undefined, fallbackTraceparent?: string): Context {
  const source: TraceCarrier = { ...(carrier ?? {}) };
  if (source['traceparent'] === undefined && fallbackTraceparent) source['traceparent'] = fallbackTraceparent;
  return w3c.extract(ROOT_CONTEXT, source, getter);
}

/** The active context, or, when no span is active, the remote one in this `traceparent` (if any). */
export function activeTraceContextOr(traceparent: string | undefined): Context {
  const active = context.active();
  return traceparent && !trace.getSpan(active) ? extractTraceContext(undefined, traceparent) : active;
}

/**
 * Adds the `traceparent` to pass on: the active span's (and its `tracestate`), or with no span
 * active this one (a request's unrecorded traceparent, `ctx.trace_id`) when it is valid — what
 * `injectTraceHeaders(headers, activeTraceContextOr(traceparent))` gives, without building a
 * context to read it back from.
 */
export function injectTraceparentOr<H extends Record<string, unknown>>(headers: H, traceparent: string | undefined): H {
  const active = context.active();
  if (trace.getSpan(active)) return injectTraceHeaders(headers, active);
  const parent = traceparent ? parseTraceParent(traceparent) : null;
  if (parent) (headers as Record<string, unknown>)['traceparent'] = `00-${parent.traceId}-${parent.spanId}-${parent.traceFlags.toString(16).padStart(2, '0')}`;
  return headers;
}

/** Adds `traceparent` (and `tracestate`) for the given context (default: the active one) to these headers. */
export function injectTraceHeaders<H extends Record<string, unknown>>(headers: H, ctx: Context = context.active()): H {
  w3c.inject(ctx, headers, { set: (carrier, key, value) => ((carrier as Record<string, unknown>)[key] = value) });
  return headers;
}

/**
 * The `traceparent` of the active span, if there is one (for job data and other non-header carriers);
 * with no span active, the unrecorded one of the request being served (`LogContext.trace_id`, see serveRpc).
 */
export function currentTraceparent(ctx?: Context): string | undefined {
  const injected = injectTraceHeaders<Record<string, string>>({}, ctx ?? context.active())['traceparent'];
  if (injected !== undefined || ctx !== undefined) return injected;
  const own = currentContext()?.trace_id;
  return own && parseTraceParent(own) ? own : undefined;
}

const ids = new RandomIdGenerator();

/**
 * A `traceparent` for work that records no span (no exporter): the incoming trace's id (or a new
 * one when the header is missing or malformed) and a new span id, "not sampled" (`-00`) as the SDK
 * marks the non-recording spans it would have built. Parsed as the W3C propagator does, without
 * building a context.
 */
export function unrecordedTraceparent(incoming: string | Buffer | (string | Buffer)[] | undefined): string {
  const header = Array.isArray(incoming) ? incoming[0] : incoming;
  const parent = header === undefined ? null : parseTraceParent(header.toString());
  return `00-${parent?.traceId ?? ids.generateTraceId()}-${ids.generateSpanId()}-00`;
}

export { activeTraceIds, spanIds, traceparentIds } from '../logging/trace-ids';

export interface SpanOptions {
  kind: SpanKind;
  /** Parent context (default: the active one); `extractTraceContext(...)` for a remote parent. */
  parent?: Context;
  attributes?: Attributes;
  links?: Link[];
}

/** Starts a span; the caller ends it (use `inSpan` when the work is one function). */
export function startSpan(name: string, options: SpanOptions): { span: Span; ctx: Context } {
  const parent = options.parent ?? context.active();
  const span = trace.getTracer(TRACER).startSpan(name, { kind: options.kind, attributes: options.attributes, links: options.links }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Marks a span failed. `expected` failures (4xx domain errors) keep the status unset but note the code. */
export function recordFailure(span: Span, err: unknown, expected = false): void {
  if (expected) {
    span.setAttribute('sigil.error', err instanceof Error ? err.message : String(err));
    return;
  }
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Runs `fn` inside a new span (active for its whole async path), ending it when `fn` settles. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const { span, ctx } = startSpan(name, options);
  try {
    return await context.with(ctx, () => fn(span));
  } catch (err) {
    recordFailure(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Runs `fn` with this context active (for hooks that continue a request's trace). */
export function withTraceContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}
