/**
 * The operator API's guard (`/v1/admin/*`, SPEC §15): only
 * `Authorization: Bearer <SIGIL_ADMIN_TOKEN>` passes — never a tenant's key or
 * session. Without a configured token the routes do not exist (404). The
 * comparison is constant-time over SHA-256 digests (no length leak), and a
 * wrong token counts toward the caller IP's failed-authentication limit.
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError, Unauthenticated } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { AuthFailureThrottle } from './auth-failure-throttle';

const digest = (v: string) => createHash('sha256').update(v).digest();

/** True when `presented` is the configured admin token (constant time). */
export function isAdminToken(presented: string | undefined, configured: string): boolean {
  if (!configured || presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(configured));
}

@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: string;

  constructor(
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'SIGIL_ADMIN_TOKEN'>,
    private readonly throttle: AuthFailureThrottle,
  ) {
    this.expected = config.SIGIL_ADMIN_TOKEN;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    // Disabled: answer as for any unknown route, so a deployment without a token shows no operator surface.
    if (!this.expected) throw new DomainError(404, 'not_found', `Route ${req.method} ${req.url.split('?')[0]} not found.`);
    this.throttle.assertNotBlocked(req.ip);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!isAdminToken(match?.[1], this.expected)) {
      await this.throttle.recordFailure(req.ip);
      throw new Unauthenticated('invalid_token', 'The operator API needs `Authorization: Bearer <SIGIL_ADMIN_TOKEN>`.');
    }
    return true;
  }
}
