/** The request context (tenant, mode, principal, request id) that routes forward to services. */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { scopesOfRole, type RequestClient, type RequestContext, type VerifiedApiKey } from '@sigil/contracts';
import type { VerifiedClaims } from '@sigil/platform';

/**
 * Who is calling, as established by the Authenticator. An API key presented
 * beside a session JWT of its tenant (seed 002) is an `api_key` caller that
 * also knows its `user`.
 */
export type Caller = { kind: 'api_key'; key: VerifiedApiKey; user?: VerifiedClaims } | { kind: 'user'; claims: VerifiedClaims };

declare module 'fastify' {
  interface FastifyRequest {
    /** Built from `sigilCaller` on first use (`requestContextOf`). */
    sigilContext?: RequestContext;
    sigilCaller?: Caller;
    /** The credential usage is counted against: set as soon as it is known, so 403s and 429s count too. */
    sigilUsage?: UsageSubject;
  }
}

export interface UsageSubject {
  tenant_id: string;
  credential_id: string;
}

export function usageSubjectOf(caller: Caller): UsageSubject {
  return caller.kind === 'api_key'
    ? { tenant_id: caller.key.tenant.id, credential_id: caller.key.key_id }
    : { tenant_id: caller.claims.tid, credential_id: caller.claims.sub };
}

/** A member's session holds its role's scopes (the permission table in docs/auth.md); shared frozen arrays. */
export function userScopes(claims: VerifiedClaims): readonly string[] {
  return scopesOfRole(claims.role);
}

/** Longest `User-Agent` kept for the audit log: enough for any real client, bounded for a hostile one. */
const MAX_USER_AGENT = 512;

/** The client as the gateway sees it: `req.ip` honours `TRUST_PROXY_HOPS` (Fastify's trustProxy). */
export function clientOf(req: Pick<FastifyRequest, 'ip' | 'headers'>): RequestClient {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, ...(typeof ua === 'string' && ua ? { user_agent: ua.slice(0, MAX_USER_AGENT) } : {}) };
}

/**
 * The context services receive: from the credential only, never from the request's content.
 * `traceparent`: the request's, when it records no span (http-tracing.ts); the services continue its trace.
 */
export function contextFor(caller: Caller, requestId: string, client?: RequestClient, traceparent?: string): RequestContext {
  const extra = { ...(client ? { client } : {}), ...(traceparent ? { trace_id: traceparent } : {}) };
  if (caller.kind === 'api_key') {
    const { key } = caller;
    return { tenant_id: key.tenant.id, mode: key.environment, request_id: requestId, principal: { kind: 'api_key', id: key.key_id, scopes: key.scopes }, ...extra };
  }
  // A session acts in the mode its token carries (docs/auth.md, session modes), as a key acts in its environment.
  return {
    tenant_id: caller.claims.tid,
    mode: caller.claims.mode,
    request_id: requestId,
    principal: { kind: 'user', id: caller.claims.sub, scopes: userScopes(caller.claims) as string[] },
    ...extra,
  };
}

/** `{trace_id}` of a request that records no span (see contextFor), for the contexts routes without a credential build. */
export function traceOf(req: Pick<FastifyRequest, 'sigilTraceparent'>): { trace_id?: string } {
  return req.sigilTraceparent ? { trace_id: req.sigilTraceparent } : {};
}

/**
 * The request context of the caller the AuthGuard attached (`@Ctx()`), built on first use and then
 * kept on the request: a route that forwards nothing to a service (`GET /v1/me`) never builds it.
 */
export function requestContextOf(req: FastifyRequest): RequestContext {
  if (req.sigilContext) return req.sigilContext;
  if (!req.sigilCaller) throw new Error('route reached without an authenticated context');
  return (req.sigilContext = contextFor(req.sigilCaller, req.id, clientOf(req), req.sigilTraceparent));
}

/** The caller the AuthGuard attached (`@CurrentCaller()`). */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.sigilCaller) throw new Error('route reached without an authenticated caller');
  return req.sigilCaller;
}

/**
 * The request-scoped values of the gateway's own parameter decorators, by the
 * decorator's factory: the route pipeline reads them straight from the
 * request, with no execution context per request.
 */
export const REQUEST_VALUES = new Map<unknown, (req: FastifyRequest) => unknown>();

function requestParam<T>(read: (req: FastifyRequest) => T): () => ParameterDecorator {
  const factory = (_: unknown, context: ExecutionContext): T => read(context.switchToHttp().getRequest<FastifyRequest>());
  REQUEST_VALUES.set(factory, read);
  return createParamDecorator(factory);
}

export const Ctx = requestParam(requestContextOf);

export const CurrentCaller = requestParam(callerOf);
