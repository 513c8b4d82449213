/**
 * Starts OpenTelemetry tracing for a Sigil process, first thing at start.
 * Trace ids are always generated and propagated (W3C `traceparent` on HTTP
 * and Kafka headers) so every log line carries one; spans leave the process
 * only when an exporter is configured:
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): OTLP over HTTP, batched;
 * - `OTEL_TRACES_EXPORTER=console`: one JSON line per ended span on stdout (local demos);
 * - `OTEL_TRACES_EXPORTER=none` or nothing set: no export;
 * - `OTEL_SDK_DISABLED=true`: no tracer at all (incoming trace ids are still passed on).
 * Sampling follows the SDK's `OTEL_TRACES_SAMPLER` (default: parent-based, always on); with no
 * exporter, spans are not recorded at all (ids only), so tracing costs next to nothing, and the
 * `traceparent` passed on says "not sampled" (give every service the same exporter settings).
 * Where nothing is recorded (`spansRecorded()` false) the gateway builds no spans and no
 * AsyncLocalStorage context per request at all: it only passes a trace id on (http-tracing.ts).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { JsonLineSpanExporter } from './json-line-span.exporter';

export type TraceExport = 'otlp' | 'console' | 'none';

let provider: NodeTracerProvider | undefined;
let recording = false;

/**
 * Whether spans started in this process are recorded (an exporter, or a sampler asked for):
 * false before `startTracing`, with no exporter, and with the SDK disabled.
 */
export function spansRecorded(): boolean {
  return recording;
}

/** Which exporter the environment asks for. */
export function traceExportOf(env: NodeJS.ProcessEnv = process.env): TraceExport {
  const named = env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase();
  if (named === 'console') return 'console';
  if (named === 'none') return 'none';
  if (named === 'otlp' || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return 'otlp';
  return 'none';
}

/** Registers the tracer provider once per process; later calls are no-ops. */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): TraceExport {
  const exportTo = traceExportOf(env);
  if (provider || env['OTEL_SDK_DISABLED']?.toLowerCase() === 'true') return exportTo;
  const recordsNothing = exportTo === 'none' && !env['OTEL_TRACES_SAMPLER'];
  const spanProcessors: SpanProcessor[] = [];
  // The OTLP exporter reads its endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables.
  if (exportTo === 'otlp') spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if (exportTo === 'console') spanProcessors.push(new SimpleSpanProcessor(new JsonLineSpanExporter()));
  provider = new NodeTracerProvider({
    // Nothing would read recorded spans: create non-recording ones, which still get (and pass on) ids.
    ...(recordsNothing ? { sampler: new AlwaysOffSampler() } : {}),
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? service, 'service.namespace': 'sigil' }),
    spanProcessors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  recording = !recordsNothing;
  return exportTo;
}

/** Flushes buffered spans and unregisters (graceful shutdown, tests). */
export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = undefined;
  recording = false;
  if (!current) return;
  await current.shutdown().catch(() => undefined);
  trace.disable();
  context.disable();
  propagation.disable();
}
