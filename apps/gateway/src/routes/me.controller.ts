/**
 * `GET /v1/me`: who the credential is. Answered from the verified (cached)
 * credential, with no call to the keys service.
 */
import { Controller, Get } from '@nestjs/common';
import type { Mode, PlanName, TenantLimits } from '@sigil/contracts';
import { AccessState } from '../auth/access-state';
import { CurrentCaller, type Caller } from '../auth/request-context';
import { AnyScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

export interface MeView {
  tenant: { id: string; name: string; plan: PlanName; limits: TenantLimits };
  mode: Mode;
  credential:
    | { type: 'api_key'; id: string; prefix: string; environment: Mode; scopes: string[]; rate_limit_per_minute: number | null; expires_at: string | null }
    | { type: 'user'; id: string; email: string; role: string };
}

@Controller('v1/me')
export class MeController {
  constructor(private readonly access: AccessState) {}

  @Get()
  @AnyScope()
  @ApiDoc({ tag: 'Account', summary: 'Who am I: tenant, plan and limits, and the key or user' })
  me(@CurrentCaller() caller: Caller): RouteResult<MeView> {
    // The plan and limits in force now (an operator change reaches this replica as an event).
    const { plan, limits } = this.access.tenantOf(caller);
    if (caller.kind === 'api_key') {
      const k = caller.key;
      return {
        data: {
          tenant: { id: k.tenant.id, name: k.tenant.name, plan, limits },
          mode: k.environment,
          credential: {
            type: 'api_key',
            id: k.key_id,
            prefix: k.prefix,
            environment: k.environment,
            scopes: k.scopes,
            rate_limit_per_minute: k.rate_limit_per_minute,
            expires_at: k.expires_at,
          },
        },
      };
    }
    const c = caller.claims;
    return {
      data: {
        tenant: { id: c.tid, name: c.tname, plan, limits },
        mode: c.mode,
        credential: { type: 'user', id: c.sub, email: c.email, role: c.role },
      },
    };
  }
}
