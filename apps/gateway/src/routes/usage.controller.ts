/** `GET /v1/usage`: requests per credential per day by status class, or per hour/day by outcome or route (SPEC §15). */
import { Controller, Get, Query } from '@nestjs/common';
import { KeyRpc, UsageQuerySchema, type RequestContext, type UsageReport } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/usage')
export class UsageController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @RequireScope('usage:read')
  @ApiDoc({
    rpc: KeyRpc.usage,
    tag: 'Account',
    summary:
      'Usage: without interval/group_by, requests per credential per day by status class; with them, per credential per hour or day by outcome or route (90 days kept)',
    query: UsageQuerySchema,
  })
  usage(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<UsageReport>> {
    return forward(this.rpc, KeyRpc.usage, ctx, { query });
  }
}
