/**
 * The trace and span ids a log line carries: the active span's, or those of a
 * `traceparent` string. Here, beside the logger, so that logging/ needs
 * nothing from tracing/ (tracing/ reads the request context from logging/);
 * tracing/trace-context re-exports them.
 */
import { isSpanContextValid, trace, type Span } from '@opentelemetry/api';

/** `{trace_id, span_id}` of a `traceparent`, for log lines; empty for none. */
export function traceparentIds(traceparent: string | undefined): { trace_id?: string; span_id?: string } {
  return traceparent ? { trace_id: traceparent.slice(3, 35), span_id: traceparent.slice(36, 52) } : {};
}

/** `{trace_id, span_id}` of the active span, for log lines; empty outside any trace. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  return spanIds(span);
}

export function spanIds(span: Span): { trace_id?: string; span_id?: string } {
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
