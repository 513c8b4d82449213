/**
 * A server span per HTTP request: continues an incoming W3C `traceparent` (or
 * starts a new trace), stays active for the request's whole async path (so RPC
 * calls become its children and log lines carry its trace id), and ends when
 * the response is sent. Installed first, before any other hook.
 */
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractTraceContext, recordFailure, spanIds, SpanKind, startSpan, withTraceContext, type Span } from './trace-context';

const UNTRACED = /^\/(health|metrics)(\/|\?|$)/;

export interface HttpTracingOptions {
  /** Log a 'request completed' line per request (debug level): built only when asked, not per request and dropped. */
  logRequests?: boolean;
  logger?: Logger;
}

export function installHttpTracing(fastify: FastifyInstance, { logRequests = false, logger = new Logger('Http') }: HttpTracingOptions = {}): void {
  const spans = new WeakMap<FastifyRequest, { span: Span; started: number }>();
  // Callback style: everything after `done()` (parsing, guards, handler) runs inside the span's context.
  fastify.addHook('onRequest', (req, _reply, done) => {
    // Probes and scrapes would drown the traces.
    if (UNTRACED.test(req.url)) return done();
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
      if (logRequests)
        logger.debug({
          msg: 'request completed',
          request_id: req.id,
          ...spanIds(span),
          method: req.method,
          route: req.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
        });
    }
    done();
  });
}
