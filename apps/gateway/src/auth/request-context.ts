/** The request context (tenant, mode, principal, request id) that routes forward to services. */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { scopesOfRole, type RequestContext, type VerifiedApiKey } from '@sigil/contracts';
import type { VerifiedClaims } from '@sigil/platform';

/**
 * Who is calling, as established by the Authenticator. An API key presented
 * beside a session JWT of its tenant (seed 002) is an `api_key` caller that
 * also knows its `user`.
 */
export type Caller = { kind: 'api_key'; key: VerifiedApiKey; user?: VerifiedClaims } | { kind: 'user'; claims: VerifiedClaims };

declare module 'fastify' {
  interface FastifyRequest {
    sigilContext?: RequestContext;
    sigilCaller?: Caller;
  }
}

/** A member's session holds its role's scopes (the permission table in docs/auth.md); shared frozen arrays. */
export function userScopes(claims: VerifiedClaims): readonly string[] {
  return scopesOfRole(claims.role);
}

/** The context services receive: from the credential only, never from the request's content. */
export function contextFor(caller: Caller, requestId: string): RequestContext {
  if (caller.kind === 'api_key') {
    const { key } = caller;
    return { tenant_id: key.tenant.id, mode: key.environment, request_id: requestId, principal: { kind: 'api_key', id: key.key_id, scopes: key.scopes } };
  }
  // A session acts in the mode its token carries (docs/auth.md, session modes), as a key acts in its environment.
  return { tenant_id: caller.claims.tid, mode: caller.claims.mode, request_id: requestId, principal: { kind: 'user', id: caller.claims.sub, scopes: userScopes(caller.claims) as string[] } };
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
