/** `/v1/webhooks`: endpoints, secrets, test events, deliveries and replays. Validate, forward over Kafka, return. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CreateWebhookSchema,
  ListDeliveriesQuerySchema,
  ListWebhooksQuerySchema,
  RecoverWebhookSchema,
  UpdateWebhookSchema,
  WebhookPatterns,
  type DeliveryDetailView,
  type DeliveryView,
  type RecoverResult,
  type RequestContext,
  type WebhookView,
  type WebhookWithSecretView,
} from '@sigil/contracts';
import { parseOrThrow, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope.interceptor';

@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('webhooks:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<WebhookWithSecretView>> {
    return this.rpc.call(WebhookPatterns.create, ctx, parseOrThrow(CreateWebhookSchema, body));
  }

  @Get()
  @RequireScope('webhooks:read')
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<WebhookView[]>> {
    return this.rpc.call(WebhookPatterns.list, ctx, parseOrThrow(ListWebhooksQuerySchema, query ?? {}));
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<WebhookView>> {
    return this.rpc.call(WebhookPatterns.get, ctx, { id });
  }

  @Patch(':id')
  @RequireScope('webhooks:write')
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<WebhookView>> {
    return this.rpc.call(WebhookPatterns.update, ctx, { id, body: parseOrThrow(UpdateWebhookSchema, body ?? {}) });
  }

  @Delete(':id')
  @RequireScope('webhooks:write')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.call(WebhookPatterns.delete, ctx, { id });
  }

  @Post(':id/rotate-secret')
  @RequireScope('webhooks:write')
  @HttpCode(200)
  rotateSecret(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<WebhookWithSecretView>> {
    return this.rpc.call(WebhookPatterns.rotateSecret, ctx, { id });
  }

  @Post(':id/test')
  @RequireScope('webhooks:write')
  @HttpCode(201)
  sendTest(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<DeliveryView>> {
    return this.rpc.call(WebhookPatterns.sendTest, ctx, { id });
  }

  @Get(':id/deliveries')
  @RequireScope('webhooks:read')
  listDeliveries(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<DeliveryView[]>> {
    return this.rpc.call(WebhookPatterns.listDeliveries, ctx, { id, query: parseOrThrow(ListDeliveriesQuerySchema, query ?? {}) });
  }

  @Get(':id/deliveries/:delivery_id')
  @RequireScope('webhooks:read')
  getDelivery(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Param('delivery_id') deliveryId: string,
  ): Promise<RouteResult<DeliveryDetailView>> {
    return this.rpc.call(WebhookPatterns.getDelivery, ctx, { id, delivery_id: deliveryId });
  }

  @Post(':id/deliveries/:delivery_id/retry')
  @RequireScope('webhooks:write')
  @HttpCode(200)
  retryDelivery(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Param('delivery_id') deliveryId: string,
  ): Promise<RouteResult<DeliveryView>> {
    return this.rpc.call(WebhookPatterns.retryDelivery, ctx, { id, delivery_id: deliveryId });
  }

  @Post(':id/recover')
  @RequireScope('webhooks:write')
  @HttpCode(200)
  recover(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<RecoverResult>> {
    return this.rpc.call(WebhookPatterns.recover, ctx, { id, body: parseOrThrow(RecoverWebhookSchema, body ?? {}) });
  }
}
