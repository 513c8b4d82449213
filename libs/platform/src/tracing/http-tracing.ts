/**
 * A server span per HTTP request: continues an incoming W3C `traceparent` (or
 * starts a new trace), stays active for the request's whole async path (so RPC
 * calls become its children and log lines carry its trace id), and ends when
 * the response is sent. Installed first, before any other hook.
 *
 * When this process records no spans (no exporter: `spansRecorded()` false)
 * nothing would ever read them, so a request gets no span and no
 * AsyncLocalStorage context: only its `traceparent` — the incoming trace id
 * with a new span id, or new ids — kept on the request (`traceparentOf`). The
 * gateway passes it to the services in the request context (`trace_id`),
 * whose spans and log lines continue it, and the 'request completed' line
 * carries its ids. An AsyncLocalStorage context per request turns on a
 * promise hook for every promise the process creates from then on; the
 * profiles of issue #13 showed it (`promiseInitHook`, `_propagate`).
 */
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractTraceContext, recordFailure, spanIds, SpanKind, startSpan, traceparentIds, unrecordedTraceparent, withTraceContext, type Span } from './trace-context';
import { spansRecorded } from './tracing';

const UNTRACED = /^\/(health|metrics)(\/|\?|$)/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's W3C `traceparent` when no span is recorded for it (see the file comment), made on first read. */
    readonly sigilTraceparent?: string;
    /** Behind `sigilTraceparent`: undefined when the request records a span or is not traced, null until first read. */
    sigilTraceState: string | null | undefined;
  }
}

export interface HttpTracingOptions {
  /** Log a 'request completed' line per request (debug level): built only when asked, not per request and dropped. */
  logRequests?: boolean;
  logger?: Logger;
}

export { traceparentIds, unrecordedTraceparent } from './trace-context';

/** The request's `traceparent` when it records no span (undefined when it does, or is not traced). */
export function traceparentOf(req: FastifyRequest): string | undefined {
  return req.sigilTraceparent;
}

export function installHttpTracing(fastify: FastifyInstance, { logRequests = false, logger = new Logger('Http') }: HttpTracingOptions = {}): void {
  const spans = new WeakMap<FastifyRequest, { span: Span; started: number }>();
  // Made when first read (the services' request context, an error line): a route that calls no service and
  // fails nothing (`GET /v1/me`) never pays for the random ids (issue #13).
  if (!fastify.hasRequestDecorator('sigilTraceparent')) {
    fastify.decorateRequest('sigilTraceState', undefined);
    fastify.decorateRequest('sigilTraceparent', {
      getter(this: FastifyRequest): string | undefined {
        return this.sigilTraceState === null ? (this.sigilTraceState = unrecordedTraceparent(this.headers.traceparent)) : this.sigilTraceState;
      },
    });
  }
  const started = new WeakMap<FastifyRequest, number>();
  // Callback style: everything after `done()` (parsing, guards, handler) runs inside the span's context.
  fastify.addHook('onRequest', (req, _reply, done) => {
    // Probes and scrapes would drown the traces.
    if (UNTRACED.test(req.url)) return done();
    if (!spansRecorded()) {
      req.sigilTraceState = null;
      if (logRequests) started.set(req, performance.now());
      return done();
    }
    const route = req.routeOptions.url ?? 'unmatched';
    const { span, ctx } = startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      parent: extractTraceContext(req.headers),
      attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': req.url.split('?')[0], 'sigil.request_id': req.id },
    });
    spans.set(req, { span, started: performance.now() });
    withTraceContext(ctx, done);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const entry = spans.get(req);
    if (entry) {
      const { span, started } = entry;
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) recordFailure(span, new Error(`HTTP ${reply.statusCode}`));
      span.end();
      if (logRequests) logCompleted(logger, req, reply.statusCode, spanIds(span), started);
    } else if (logRequests && req.sigilTraceparent !== undefined) {
      logCompleted(logger, req, reply.statusCode, traceparentIds(req.sigilTraceparent), started.get(req) ?? performance.now());
    }
    done();
  });
}

function logCompleted(logger: Logger, req: FastifyRequest, status: number, traceIds: { trace_id?: string; span_id?: string }, started: number): void {
  logger.debug({
    msg: 'request completed',
    request_id: req.id,
    ...traceIds,
    method: req.method,
    route: req.routeOptions.url ?? 'unmatched',
    status,
    duration_ms: Math.round((performance.now() - started) * 10) / 10,
  });
}
