/** `/v1/api-keys`: create (secret shown once), list, read, update, revoke, rotate. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CreateApiKeySchema,
  KeyRpc,
  ListApiKeysQuerySchema,
  RotateApiKeySchema,
  UpdateApiKeySchema,
  type ApiKeyView,
  type ApiKeyWithSecret,
  type RequestContext,
} from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward, optionalBody } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @HttpCode(201)
  @RequireScope('keys:write')
  @ApiDoc({ rpc: KeyRpc.createKey, tag: 'API keys', summary: 'Create an API key; the secret is in data.key, shown once', body: CreateApiKeySchema, status: 201 })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ApiKeyWithSecret>> {
    return forward(this.rpc, KeyRpc.createKey, ctx, { body });
  }

  @Get()
  @RequireScope('keys:read')
  @ApiDoc({ rpc: KeyRpc.listKeys, tag: 'API keys', summary: 'List API keys (never their secrets)', query: ListApiKeysQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<ApiKeyView[]>> {
    return forward(this.rpc, KeyRpc.listKeys, ctx, { query });
  }

  @Get(':id')
  @RequireScope('keys:read')
  @ApiDoc({ rpc: KeyRpc.getKey, tag: 'API keys', summary: 'Get an API key' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ApiKeyView>> {
    return forward(this.rpc, KeyRpc.getKey, ctx, { params: { id } });
  }

  @Patch(':id')
  @RequireScope('keys:write')
  @ApiDoc({ rpc: KeyRpc.updateKey, tag: 'API keys', summary: 'Change name, scopes or own rate limit', body: UpdateApiKeySchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ApiKeyView>> {
    return forward(this.rpc, KeyRpc.updateKey, ctx, { params: { id }, body });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('keys:write')
  @ApiDoc({
    rpc: KeyRpc.revokeKey,
    tag: 'API keys',
    summary: 'Revoke an API key (effective at every gateway within 1 s); it stays readable with status revoked',
    status: 204,
    softDelete: true,
  })
  async revoke(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, KeyRpc.revokeKey, ctx, { params: { id } });
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @RequireScope('keys:write')
  @ApiDoc({ rpc: KeyRpc.rotateKey, tag: 'API keys', summary: 'Rotate the secret; the old one stays valid for grace_period_seconds', body: RotateApiKeySchema })
  rotate(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ApiKeyWithSecret>> {
    return forward(this.rpc, KeyRpc.rotateKey, ctx, { params: { id }, body: optionalBody(body) });
  }
}
