/**
 * `/v1/subscriptions/*`: the public end of double opt-in and one-click
 * unsubscribe (RFC 8058). No credential — the signed token says which
 * tenant, mode and contact — so these are limited per client IP, like the
 * other public routes; the IP is also kept in the consent history.
 */
import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ContactRpc, SubscriptionTokenSchema, type RequestContext, type SubscriptionChangeView } from '@sigil/contracts';
import { Public, RpcClient } from '@sigil/platform';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { LimitByIp } from '../rate-limit/ip-limit.decorator';
import { forward } from './forward';

function anonymous(req: FastifyRequest): RequestContext {
  return { tenant_id: 'anonymous', mode: 'live', request_id: req.id };
}

@Controller('v1/subscriptions')
@Public()
export class SubscriptionsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('confirm')
  @HttpCode(200)
  @LimitByIp('subscriptions', 'SUBSCRIPTION_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({ rpc: ContactRpc.confirmSubscription, tag: 'Subscriptions', summary: 'Confirm a double opt-in with its token (no credential): the contact becomes subscribed', body: SubscriptionTokenSchema })
  confirm(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SubscriptionChangeView>> {
    return forward(this.rpc, ContactRpc.confirmSubscription, anonymous(req), { params: { client_ip: req.ip ?? null }, body });
  }

  @Post('unsubscribe')
  @HttpCode(200)
  @LimitByIp('subscriptions', 'SUBSCRIPTION_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({ rpc: ContactRpc.unsubscribe, tag: 'Subscriptions', summary: 'One-click unsubscribe (RFC 8058) with its token (no credential): the contact becomes unsubscribed', body: SubscriptionTokenSchema })
  unsubscribe(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SubscriptionChangeView>> {
    return forward(this.rpc, ContactRpc.unsubscribe, anonymous(req), { params: { client_ip: req.ip ?? null }, body });
  }
}
