/** The request context (tenant, mode, principal, request id) that routes forward to services. */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext, VerifiedApiKey } from '@sigil/contracts';
import type { VerifiedClaims } from '@sigil/platform';

/** Who is calling, as established by the AuthGuard. */
export type Caller = { kind: 'api_key'; key: VerifiedApiKey } | { kind: 'user'; claims: VerifiedClaims };

declare module 'fastify' {
  interface FastifyRequest {
    sigilContext?: RequestContext;
    sigilCaller?: Caller;
  }
}

export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext => {
  const req = context.switchToHttp().getRequest<FastifyRequest>();
  if (!req.sigilContext) throw new Error('route reached without an authenticated context');
  return req.sigilContext;
});

export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const req = context.switchToHttp().getRequest<FastifyRequest>();
  if (!req.sigilCaller) throw new Error('route reached without an authenticated caller');
  return req.sigilCaller;
});
