/**
 * Authenticates every request and checks the route's declared scope.
 * `Authorization: Bearer <API key | access JWT>` or `X-API-Key: <API key>`.
 * The credential alone decides tenant and mode; nothing in the request can.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { hasScope, type Scope } from '@sigil/contracts';
import { Forbidden, looksLikeApiKey, PUBLIC_ROUTE, Unauthenticated, verifyAccessToken } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { ApiKeyVerifier } from './api-key.verifier';
import type { Caller } from './request-context';
import { ANY_SCOPE, REQUIRED_SCOPE } from './scopes.decorator';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: ApiKeyVerifier,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    if (!required && !this.reflector.getAllAndOverride<boolean>(ANY_SCOPE, targets)) {
      // A route without a declared scope is a programming error; fail closed.
      throw new Error(`route ${context.getClass().name}.${context.getHandler().name} declares no scope`);
    }
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const caller = await this.authenticate(req);
    const scopes = caller.kind === 'api_key' ? caller.key.scopes : ['*'];
    if (required && !hasScope(scopes, required)) {
      throw new Forbidden('insufficient_scope', `This request needs the '${required}' scope.`, { required_scope: required });
    }
    req.sigilCaller = caller;
    req.sigilContext =
      caller.kind === 'api_key'
        ? {
            tenant_id: caller.key.tenant.id,
            mode: caller.key.environment,
            request_id: req.id,
            principal: { kind: 'api_key', id: caller.key.key_id, scopes },
          }
        : { tenant_id: caller.claims.tid, mode: 'live', request_id: req.id, principal: { kind: 'user', id: caller.claims.sub, scopes } };
    return true;
  }

  private async authenticate(req: FastifyRequest): Promise<Caller> {
    const credential = extractCredential(req);
    if (!credential) throw new Unauthenticated('missing_api_key', 'No API key provided. Send `Authorization: Bearer <key>`.');
    if (looksLikeApiKey(credential.value) || credential.from === 'x-api-key') {
      return { kind: 'api_key', key: await this.verifier.verify(credential.value, req.id) };
    }
    const claims = verifyAccessToken(credential.value, this.config.JWT_SECRET);
    if (!claims) throw new Unauthenticated('invalid_token', 'The access token is invalid or expired.');
    return { kind: 'user', claims };
  }
}

function extractCredential(req: FastifyRequest): { value: string; from: 'authorization' | 'x-api-key' } | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) throw new Unauthenticated('invalid_api_key', 'Use `Authorization: Bearer <credential>`.');
    return { value: match[1]!, from: 'authorization' };
  }
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.length) return { value: key.trim(), from: 'x-api-key' };
  return undefined;
}
