/**
 * `/v1/settings`: the account's own settings (SPEC §15) — today
 * `leaked_key_policy`, what a key GitHub finds in public gets. Reading needs
 * `keys:read`; changing it weakens or strengthens every key's protection, so
 * it needs `*` (owners, admins, full-access keys) and live mode.
 */
import { Body, Controller, Get, Patch } from '@nestjs/common';
import { KeyRpc, UpdateTenantSettingsSchema, type RequestContext, type TenantSettingsView } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @RequireScope('keys:read')
  @ApiDoc({
    rpc: KeyRpc.getSettings,
    tag: 'Account',
    summary: "The account's settings: leaked_key_policy (revoke or notify) for keys GitHub secret scanning finds in public",
  })
  get(@Ctx() ctx: RequestContext): Promise<RouteResult<TenantSettingsView>> {
    return forward(this.rpc, KeyRpc.getSettings, ctx, {});
  }

  @Patch()
  @RequireScope('*')
  @ApiDoc({
    rpc: KeyRpc.updateSettings,
    tag: 'Account',
    summary: "Change the account's settings (owners, admins and full-access keys; live mode): leaked_key_policy revoke (default) or notify",
    body: UpdateTenantSettingsSchema,
  })
  update(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<TenantSettingsView>> {
    return forward(this.rpc, KeyRpc.updateSettings, ctx, { body });
  }
}
