/** Nest exception filter: any error thrown in a route becomes the error envelope. */
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdempotentReplay } from '../idempotency/idempotency.store';
import { errorEnvelope, toDomainError } from './error-envelope';

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof IdempotentReplay) {
      const { status, content_type, body } = exception.stored;
      void reply.status(status).header('content-type', content_type).header('idempotent-replayed', 'true').send(body);
      return;
    }
    const err = toDomainError(exception);
    void reply.status(err.status).header('content-type', 'application/json; charset=utf-8').send(errorEnvelope(err, req.id));
  }
}
