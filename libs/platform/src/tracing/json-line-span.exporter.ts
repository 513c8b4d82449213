/** Writes each ended span as one JSON line on stdout: `OTEL_TRACES_EXPORTER=console`, for local demos. */
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export function spanLine(span: ReadableSpan): Record<string, unknown> {
  const ctx = span.spanContext();
  return {
    time: new Date(hrTimeToMilliseconds(span.endTime)).toISOString(),
    level: 'trace',
    service: span.resource.attributes['service.name'],
    span: span.name,
    kind: SpanKind[span.kind],
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanContext?.spanId,
    duration_ms: Math.round(hrTimeToMilliseconds(span.duration) * 100) / 100,
    status: span.status.code === 2 ? 'error' : 'ok',
    attributes: span.attributes,
    ...(span.links.length ? { links: span.links.map((l) => ({ trace_id: l.context.traceId, span_id: l.context.spanId })) } : {}),
  };
}

export class JsonLineSpanExporter implements SpanExporter {
  constructor(private readonly out: (line: string) => void = (line) => process.stdout.write(line + '\n')) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.out(JSON.stringify(spanLine(span)));
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}
}
