/** `GET /v1/usage`: requests per credential per day, by status class. */
import { Controller, Get, Query } from '@nestjs/common';
import { KeyRpc, UsageQuerySchema, type RequestContext, type UsageRow } from '@sigil/contracts';
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
  @ApiDoc({ tag: 'Account', summary: 'Requests per credential per day, by status class', query: UsageQuerySchema })
  usage(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<UsageRow[]>> {
    return forward(this.rpc, KeyRpc.usage, ctx, { query });
  }
}
