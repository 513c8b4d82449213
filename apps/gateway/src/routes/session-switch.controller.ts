/**
 * `GET /v1/auth/tenants` and `POST /v1/auth/switch`: the tenants a session's
 * user belongs to, and tokens for another of them (SPEC §15).
 */
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { MemberRpc, SwitchTenantSchema, type RequestContext, type SessionTokens, type UserTenantView } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { AnyScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/auth')
export class SessionSwitchController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('tenants')
  @AnyScope()
  @ApiDoc({
    rpc: MemberRpc.listTenants,
    tag: 'Auth',
    summary: "The tenants the session's user belongs to, with their role in each and which one the session is in (a user session only)",
  })
  tenants(@Ctx() ctx: RequestContext): Promise<RouteResult<UserTenantView[]>> {
    return forward(this.rpc, MemberRpc.listTenants, ctx, {});
  }

  @Post('switch')
  @HttpCode(200)
  @AnyScope()
  @ApiDoc({
    rpc: MemberRpc.switchTenant,
    tag: 'Auth',
    summary: 'Switch tenants: new session tokens in another tenant the user is a member of (a user session only; 404 for a tenant they do not belong to)',
    body: SwitchTenantSchema,
  })
  switchTenant(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SessionTokens>> {
    return forward(this.rpc, MemberRpc.switchTenant, ctx, { body });
  }
}
