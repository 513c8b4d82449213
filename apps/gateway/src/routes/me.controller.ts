/**
 * `GET /v1/me`: who the credential is. Answered from the verified (cached)
 * credential, with no call to the keys service.
 */
import { Controller, Get } from '@nestjs/common';
import { PLANS, type Mode, type PlanName } from '@sigil/contracts';
import { CurrentCaller, type Caller } from '../auth/request-context';
import { AnyScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

export interface MeView {
  tenant: { id: string; name: string; plan: PlanName; limits: (typeof PLANS)[PlanName] };
  mode: Mode;
  credential:
    | { type: 'api_key'; id: string; prefix: string; environment: Mode; scopes: string[]; rate_limit_per_minute: number | null; expires_at: string | null }
    | { type: 'user'; id: string; email: string; role: string };
}

@Controller('v1/me')
export class MeController {
  @Get()
  @AnyScope()
  @ApiDoc({ tag: 'Account', summary: 'Who am I: tenant, plan and limits, and the key or user' })
  me(@CurrentCaller() caller: Caller): RouteResult<MeView> {
    if (caller.kind === 'api_key') {
      const k = caller.key;
      return {
        data: {
          tenant: { ...k.tenant, limits: PLANS[k.tenant.plan] },
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
        tenant: { id: c.tid, name: c.tname, plan: c.plan, limits: PLANS[c.plan] },
        mode: c.mode,
        credential: { type: 'user', id: c.sub, email: c.email, role: c.role },
      },
    };
  }
}
