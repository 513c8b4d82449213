/** `/v1/suppressions`: emails and domains of the tenant that must not be emailed (SPEC §12). */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ContactRpc, CreateSuppressionSchema, ListSuppressionsQuerySchema, type RequestContext, type SuppressionView } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/suppressions')
export class SuppressionsController {
  constructor(private readonly rpc: RpcClient) {}

  @ApiDoc({ rpc: ContactRpc.listSuppressions, tag: 'Suppressions', summary: 'List suppressions, oldest first', query: ListSuppressionsQuerySchema, paginated: true })
  @Get()
  @RequireScope('contacts:read')
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<SuppressionView[]>> {
    return forward(this.rpc, ContactRpc.listSuppressions, ctx, { query });
  }

  @ApiDoc({
    rpc: ContactRpc.createSuppression,
    tag: 'Suppressions',
    summary: 'Suppress an email or a whole domain (409 with existing_id if already suppressed); matching contacts get suppressed: true',
    body: CreateSuppressionSchema,
    status: 201,
  })
  @Post()
  @RequireScope('contacts:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SuppressionView>> {
    return forward(this.rpc, ContactRpc.createSuppression, ctx, { body });
  }

  @ApiDoc({ rpc: ContactRpc.deleteSuppression, tag: 'Suppressions', summary: 'Remove a suppression', status: 204 })
  @Delete(':id')
  @RequireScope('contacts:write')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, ContactRpc.deleteSuppression, ctx, { params: { id } });
  }
}
