/**
 * Fastify-level HTTP hygiene that runs around Nest routing: the request id on
 * every response, JSON as the only body type (anything else is a 415), and
 * usage counting once a response is sent. Parser errors reach the Nest filter
 * and leave in the error envelope.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UsageRecorder } from '../usage/usage-recorder';

export function configureHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  const usage = app.get(UsageRecorder);
  usage.start();
  fastify.addHook('onResponse', async (req, reply) => usage.record(req, reply));
  // onClose runs after in-flight requests finished and before the Kafka client closes.
  fastify.addHook('onClose', async () => usage.stop());
}
