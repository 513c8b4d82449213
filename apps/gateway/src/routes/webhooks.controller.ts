/** `/v1/webhooks`: endpoints, secrets, test events, deliveries and replays. Validate, forward over Kafka, return. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CreateWebhookSchema,
  ListDeliveriesQuerySchema,
  ListWebhooksQuerySchema,
  RecoverWebhookSchema,
  UpdateWebhookSchema,
  WebhookRpc,
  type DeliveryDetailView,
  type DeliveryView,
  type RecoveryView,
  type WebhookStatsView,
  WebhookStatsQuerySchema,
  type RequestContext,
  type WebhookView,
  type WebhookWithSecretView,
} from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward, optionalBody } from './forward';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';

@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('webhooks:write')
  @HttpCode(201)
  @ApiDoc({ rpc: WebhookRpc.create, tag: 'Webhooks', summary: 'Create a webhook endpoint; `data.secret` is shown only here', body: CreateWebhookSchema, status: 201 })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<WebhookWithSecretView>> {
    return forward(this.rpc, WebhookRpc.create, ctx, { body });
  }

  @Get()
  @RequireScope('webhooks:read')
  @ApiDoc({ rpc: WebhookRpc.list, tag: 'Webhooks', summary: 'List webhook endpoints', query: ListWebhooksQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<WebhookView[]>> {
    return forward(this.rpc, WebhookRpc.list, ctx, { query: query ?? {} });
  }

  @Get(':id')
  @RequireScope('webhooks:read')
  @ApiDoc({ rpc: WebhookRpc.get, tag: 'Webhooks', summary: 'Get a webhook endpoint', returns: 'the endpoint (never its secret)' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<WebhookView>> {
    return forward(this.rpc, WebhookRpc.get, ctx, { params: { id } });
  }

  @Patch(':id')
  @RequireScope('webhooks:write')
  @ApiDoc({ rpc: WebhookRpc.update, tag: 'Webhooks', summary: 'Change a webhook endpoint; enabling clears disabled_reason', body: UpdateWebhookSchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<WebhookView>> {
    return forward(this.rpc, WebhookRpc.update, ctx, { params: { id }, body: optionalBody(body) });
  }

  @Delete(':id')
  @RequireScope('webhooks:write')
  @HttpCode(204)
  @ApiDoc({ rpc: WebhookRpc.delete, tag: 'Webhooks', summary: 'Delete a webhook endpoint and its pending deliveries', status: 204 })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, WebhookRpc.delete, ctx, { params: { id } });
  }

  @Post(':id/rotate-secret')
  @RequireScope('webhooks:write')
  @HttpCode(200)
  @ApiDoc({
    rpc: WebhookRpc.rotateSecret,
    tag: 'Webhooks',
    summary: 'Rotate the signing secret; the previous one keeps signing for 24 h',
    returns: 'the endpoint with the new secret',
  })
  rotateSecret(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<WebhookWithSecretView>> {
    return forward(this.rpc, WebhookRpc.rotateSecret, ctx, { params: { id } });
  }

  @Post(':id/test')
  @RequireScope('webhooks:write')
  @HttpCode(201)
  @ApiDoc({ rpc: WebhookRpc.sendTest, tag: 'Webhooks', summary: 'Send a webhook.test event to this endpoint', returns: 'the delivery', status: 201 })
  sendTest(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<DeliveryView>> {
    return forward(this.rpc, WebhookRpc.sendTest, ctx, { params: { id } });
  }

  @Get(':id/deliveries')
  @RequireScope('webhooks:read')
  @ApiDoc({ rpc: WebhookRpc.listDeliveries, tag: 'Webhooks', summary: 'List deliveries of an endpoint', query: ListDeliveriesQuerySchema, paginated: true })
  listDeliveries(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<DeliveryView[]>> {
    return forward(this.rpc, WebhookRpc.listDeliveries, ctx, { params: { id }, query: query ?? {} });
  }

  @Get(':id/deliveries/:delivery_id')
  @RequireScope('webhooks:read')
  @ApiDoc({ rpc: WebhookRpc.getDelivery, tag: 'Webhooks', summary: 'Get a delivery with its payload and every attempt', returns: 'the delivery with attempts' })
  getDelivery(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('delivery_id') deliveryId: string): Promise<RouteResult<DeliveryDetailView>> {
    return forward(this.rpc, WebhookRpc.getDelivery, ctx, { params: { id, delivery_id: deliveryId } });
  }

  @Post(':id/deliveries/:delivery_id/retry')
  @RequireScope('webhooks:write')
  @HttpCode(200)
  @ApiDoc({ rpc: WebhookRpc.retryDelivery, tag: 'Webhooks', summary: 'Send a delivered or failed delivery again (same webhook-id)', returns: 'the delivery, pending' })
  retryDelivery(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('delivery_id') deliveryId: string): Promise<RouteResult<DeliveryView>> {
    return forward(this.rpc, WebhookRpc.retryDelivery, ctx, { params: { id, delivery_id: deliveryId } });
  }

  @Post(':id/recover')
  @RequireScope('webhooks:write')
  @HttpCode(202)
  @ApiDoc({
    rpc: WebhookRpc.recover,
    tag: 'Webhooks',
    summary: 'Re-send, in the background, every failed or skipped delivery created in [since, until)',
    body: RecoverWebhookSchema,
    returns: 'the recovery `{id, status, …}`; follow it at /v1/webhooks/{id}/recoveries/{recovery_id}',
    status: 202,
  })
  recover(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<RecoveryView>> {
    return forward(this.rpc, WebhookRpc.recover, ctx, { params: { id }, body: optionalBody(body) });
  }

  @Get(':id/recoveries/:recovery_id')
  @RequireScope('webhooks:read')
  @ApiDoc({ rpc: WebhookRpc.getRecovery, tag: 'Webhooks', summary: 'Progress of a recovery', returns: 'the recovery with `total` and `recovered`' })
  getRecovery(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('recovery_id') recoveryId: string): Promise<RouteResult<RecoveryView>> {
    return forward(this.rpc, WebhookRpc.getRecovery, ctx, { params: { id, recovery_id: recoveryId } });
  }

  @Get(':id/stats')
  @RequireScope('webhooks:read')
  @ApiDoc({
    rpc: WebhookRpc.stats,
    tag: 'Webhooks',
    summary: 'Delivery statistics of an endpoint over 1h, 24h or 7d',
    query: WebhookStatsQuerySchema,
    returns: '`delivered`, `failed`, `retrying`, `success_rate`, `p50_ms`, `p99_ms`',
  })
  stats(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<WebhookStatsView>> {
    return forward(this.rpc, WebhookRpc.stats, ctx, { params: { id }, query: query ?? {} });
  }
}
