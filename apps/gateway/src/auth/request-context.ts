/** The request context (tenant, mode, principal, request id) that routes forward to services. */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@sigil/contracts';

declare module 'fastify' {
  interface FastifyRequest {
    sigilContext?: RequestContext;
  }
}

export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext => {
  const req = context.switchToHttp().getRequest<FastifyRequest>();
  if (!req.sigilContext) throw new Error('route reached without an authenticated context');
  return req.sigilContext;
});
