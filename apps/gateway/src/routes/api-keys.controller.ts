/** `/v1/api-keys`: create (secret shown once), list, read, update, revoke, rotate. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CreateApiKeySchema,
  KeyPatterns,
  ListQuerySchema,
  RotateApiKeySchema,
  UpdateApiKeySchema,
  type ApiKeyView,
  type ApiKeyWithSecret,
  type RequestContext,
} from '@sigil/contracts';
import { parseOrThrow, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope.interceptor';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @HttpCode(201)
  @RequireScope('keys:write')
  @ApiDoc({ tag: 'API keys', summary: 'Create an API key; the secret is in data.key, shown once', body: CreateApiKeySchema, status: 201 })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ApiKeyWithSecret>> {
    return this.rpc.call(KeyPatterns.createKey, ctx, parseOrThrow(CreateApiKeySchema, body));
  }

  @Get()
  @RequireScope('keys:read')
  @ApiDoc({ tag: 'API keys', summary: 'List API keys (never their secrets)', query: ListQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<ApiKeyView[]>> {
    return this.rpc.call(KeyPatterns.listKeys, ctx, parseOrThrow(ListQuerySchema, query));
  }

  @Get(':id')
  @RequireScope('keys:read')
  @ApiDoc({ tag: 'API keys', summary: 'Get an API key' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ApiKeyView>> {
    return this.rpc.call(KeyPatterns.getKey, ctx, { id });
  }

  @Patch(':id')
  @RequireScope('keys:write')
  @ApiDoc({ tag: 'API keys', summary: 'Change name, scopes or own rate limit', body: UpdateApiKeySchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ApiKeyView>> {
    return this.rpc.call(KeyPatterns.updateKey, ctx, { id, body: parseOrThrow(UpdateApiKeySchema, body) });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('keys:write')
  @ApiDoc({ tag: 'API keys', summary: 'Revoke an API key (effective at every gateway within 1 s)', status: 204 })
  async revoke(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.call(KeyPatterns.revokeKey, ctx, { id });
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @RequireScope('keys:write')
  @ApiDoc({ tag: 'API keys', summary: 'Rotate the secret; the old one stays valid for grace_period_seconds', body: RotateApiKeySchema })
  rotate(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ApiKeyWithSecret>> {
    return this.rpc.call(KeyPatterns.rotateKey, ctx, { id, body: parseOrThrow(RotateApiKeySchema, body ?? {}) });
  }
}
