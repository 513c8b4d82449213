/**
 * Authenticates every request and checks the route's declared scope.
 *
 * Walking-skeleton stage: the credential is not verified yet; the tenant comes
 * from `X-Sigil-Dev-Tenant` (default: DEV_TENANT_ID), the mode from
 * `X-Sigil-Dev-Mode` and the scopes from `X-Sigil-Dev-Scopes`. API keys and
 * sessions replace this.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { hasScope, type Mode, type Scope } from '@sigil/contracts';
import { Forbidden } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { ANY_SCOPE, PUBLIC_ROUTE, REQUIRED_SCOPE } from './scopes.decorator';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    const any = this.reflector.getAllAndOverride<boolean>(ANY_SCOPE, targets);
    if (!required && !any) throw new Error(`route ${context.getClass().name}.${context.getHandler().name} declares no scope`);

    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const tenant = header(req, 'x-sigil-dev-tenant') ?? this.config.DEV_TENANT_ID;
    const mode: Mode = header(req, 'x-sigil-dev-mode') === 'test' ? 'test' : 'live';
    const scopes = header(req, 'x-sigil-dev-scopes')?.split(',') ?? ['*'];
    if (required && !hasScope(scopes, required)) {
      throw new Forbidden('insufficient_scope', `This request needs the '${required}' scope.`, { required_scope: required });
    }
    req.sigilContext = { tenant_id: tenant, mode, request_id: req.id, principal: { kind: 'api_key', id: 'dev', scopes } };
    return true;
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v ? v : undefined;
}
