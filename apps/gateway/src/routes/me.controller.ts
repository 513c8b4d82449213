/**
 * `GET /v1/me`: who the credential is. Answered from the verified (cached)
 * credential, with no call to the keys service. An API key's answer is
 * serialized once per cached key and plan (a client checking its key at a
 * high rate asks for the same document every time).
 */
import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import { named, PLAN_NAMES, TenantLimitsSchema, Timestamp, type Mode, type PlanName, type TenantLimits, type VerifiedApiKey } from '@sigil/contracts';
import { AccessState } from '../auth/access-state';
import { CurrentCaller, type Caller } from '../auth/request-context';
import { AnyScope } from '../auth/scopes.decorator';
import { JsonText, type RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

export interface MeView {
  tenant: { id: string; name: string; plan: PlanName; limits: TenantLimits };
  mode: Mode;
  credential:
    | { type: 'api_key'; id: string; prefix: string; environment: Mode; scopes: string[]; rate_limit_per_minute: number | null; expires_at: string | null }
    | { type: 'user'; id: string; email: string; role: string };
}

const MODES = ['live', 'test'] as const;

/** `MeView` as the OpenAPI document shows it. */
export const MeViewSchema = named(
  'Me',
  z.object({
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.enum(PLAN_NAMES), limits: TenantLimitsSchema }),
    mode: z.enum(MODES),
    credential: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('api_key'),
        id: z.string(),
        prefix: z.string(),
        environment: z.enum(MODES),
        scopes: z.array(z.string()),
        rate_limit_per_minute: z.number().int().nullable(),
        expires_at: Timestamp.nullable(),
      }),
      z.object({ type: z.literal('user'), id: z.string(), email: z.string(), role: z.string() }),
    ]),
  }) satisfies z.ZodType<MeView>,
);

/** An API key's answer as served last: for the same cached key object, plan and limits it is the same text. */
interface Served {
  plan: PlanName;
  limits: TenantLimits;
  text: JsonText<MeView>;
}

@Controller('v1/me')
export class MeController {
  /** Keyed by the credential cache's object: a key fetched again (changed, or its cache entry expired) is serialized again. */
  private readonly served = new WeakMap<VerifiedApiKey, Served>();

  constructor(private readonly access: AccessState) {}

  @Get()
  @AnyScope()
  @ApiDoc({ tag: 'Account', summary: 'Who am I: tenant, plan and limits, and the key or user', response: MeViewSchema })
  me(@CurrentCaller() caller: Caller): RouteResult<MeView> {
    // The plan and limits in force now (an operator change reaches this replica as an event).
    const { plan, limits } = this.access.tenantOf(caller);
    if (caller.kind === 'api_key') {
      const k = caller.key;
      const last = this.served.get(k);
      if (last && last.plan === plan && last.limits === limits) return { data: last.text };
      const view: MeView = {
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
      };
      const text = new JsonText<MeView>(JSON.stringify(view));
      this.served.set(k, { plan, limits, text });
      return { data: text };
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
