/**
 * Fastify-level HTTP hygiene that runs before Nest routing: the request id on
 * every response, and JSON as the only body type (anything else is a 415).
 * Parser errors reach the Nest filter and leave in the error envelope.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export function configureHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
}
