/**
 * Walking-skeleton authentication: every request acts for the tenant named in
 * configuration, in live mode. Replaced by API keys and sessions.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

@Injectable()
export class DevTenantGuard implements CanActivate {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    req.sigilContext = { tenant_id: this.config.DEV_TENANT_ID, mode: 'live', request_id: req.id };
    return true;
  }
}
