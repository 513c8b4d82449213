/**
 * Fastify-level HTTP hygiene around Nest routing: the request id on every
 * response, security headers, CORS for configured origins, JSON as the only
 * body type (anything else, form posts included, is a 415, but for the upload
 * and one-click unsubscribe routes), the methods each
 * path serves (for 405), the success envelope, idempotent responses, and usage
 * counting once a response is sent. Parser errors reach the Nest filter and leave in the error envelope.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { installHttpTracing } from '@sigil/platform';
import type { GatewayConfig } from '../config';
import { installIdempotencyHooks } from '../idempotency/idempotency.hooks';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { UsageRecorder } from '../usage/usage-recorder';
import { installEnvelopeHook } from './envelope';
import { installFormBodies } from './form-bodies';
import { installJsonBodyParser } from './json-body-parser';
import { installMultipart } from './multipart';
import { installNulGuard } from './nul-characters';
import { RouteMethods } from './route-methods';
import { installRoutePipelines } from './route-pipeline';

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'cross-origin-resource-policy': 'same-origin',
};
/** Built once: the API's responses get these on top of the security headers (Swagger UI under /docs does not). */
const API_HEADERS: Record<string, string> = {
  ...SECURITY_HEADERS,
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};
const CORS_ALLOWED_HEADERS = 'authorization, x-api-key, content-type, idempotency-key, x-request-id';
const CORS_EXPOSED_HEADERS = 'x-request-id, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, ratelimit, ratelimit-policy, retry-after, idempotent-replayed';

export async function configureHttp(app: NestFastifyApplication, config: GatewayConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const origins = new Set(
    config.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  );
  // Before anything registers a route: every controller route is served by its compiled pipeline.
  installRoutePipelines(app, fastify);
  app.get(RouteMethods).install(fastify);
  installJsonBodyParser(app);
  // JSON only: Fastify then answers any other content type (curl's default form encoding included) with 415.
  // The upload and one-click unsubscribe routes take multipart, and the latter a form too (refused elsewhere).
  fastify.removeContentTypeParser(['text/plain', 'application/x-www-form-urlencoded']);
  installFormBodies(fastify);
  await installMultipart(fastify);
  installNulGuard(fastify);
  installHttpTracing(fastify, { logRequests: config.LOG_LEVEL === 'debug' });
  // Callback-style hooks here and below: an async hook costs a promise and a microtask turn per request.
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    void reply.headers(req.url.startsWith('/docs') ? SECURITY_HEADERS : API_HEADERS);
    const origin = req.headers.origin;
    if (origin && (origins.has(origin) || origins.has('*'))) {
      void reply.header('access-control-allow-origin', origin);
      void reply.header('vary', 'Origin');
      void reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
      if (req.method === 'OPTIONS') {
        // A preflight is answered here; the request goes no further (no done()).
        void reply
          .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
          .header('access-control-allow-headers', CORS_ALLOWED_HEADERS)
          .header('access-control-max-age', '600')
          .status(204)
          .send();
        return;
      }
    }
    done();
  });
  // preSerialization (the envelope) runs before onSend, so idempotency stores the enveloped bytes.
  installEnvelopeHook(fastify);
  installIdempotencyHooks(fastify, app.get(IdempotencyStore));
  if (config.USAGE_RECORDING_ENABLED) {
    const usage = app.get(UsageRecorder);
    usage.start();
    fastify.addHook('onResponse', (req, reply, done) => {
      usage.record(req, reply);
      done();
    });
    // onClose runs after in-flight requests finished and before the Kafka client closes.
    fastify.addHook('onClose', async () => usage.stop());
  }
}
