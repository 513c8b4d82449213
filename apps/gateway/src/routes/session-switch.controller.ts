/** `POST /v1/auth/switch`: a session's user gets tokens for another tenant they belong to (SPEC §15). */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { MemberRpc, SwitchTenantSchema, type RequestContext, type SessionTokens } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { AnyScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/auth')
export class SessionSwitchController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('switch')
  @HttpCode(200)
  @AnyScope()
  @ApiDoc({ rpc: MemberRpc.switchTenant, tag: 'Auth', summary: 'Switch tenants: new session tokens in another tenant the user is a member of (a user session only; 404 for a tenant they do not belong to)', body: SwitchTenantSchema })
  switchTenant(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SessionTokens>> {
    return forward(this.rpc, MemberRpc.switchTenant, ctx, { body });
  }
}
