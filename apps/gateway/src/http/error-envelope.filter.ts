/**
 * Nest exception filter: any error thrown in a route becomes the error
 * envelope. A 429 carries its limit's headers; a request for a known path with
 * an undeclared method becomes 405 with `Allow` (normally already refused by
 * RouteMethods' hook; this covers a 404 raised after it).
 */
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@sigil/platform';
import { RateLimitExceeded } from '../rate-limit/limit-policy';
import { setRateLimitHeaders } from '../rate-limit/rate-limit.headers';
import { errorEnvelope, toDomainError } from './error-envelope';
import { RouteMethods } from './route-methods';

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(private readonly routes: RouteMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let err = toDomainError(exception, req);
    if (exception instanceof RateLimitExceeded) setRateLimitHeaders(reply, exception.decision);
    else if (exception instanceof HttpException && err.status === 404) err = this.methodNotAllowed(req, reply) ?? err;
    void reply.status(err.status).header('content-type', 'application/json; charset=utf-8').send(errorEnvelope(err, req.id));
  }

  /** No route matched: a 405 if the path exists under other methods. */
  private methodNotAllowed(req: FastifyRequest, reply: FastifyReply): DomainError | undefined {
    const allow = this.routes.allowed(req.url);
    if (!allow.length) return undefined;
    void reply.header('allow', allow.join(', '));
    return new DomainError(405, 'method_not_allowed', `${req.method} is not allowed here; this path takes ${allow.join(', ')}.`);
  }
}
