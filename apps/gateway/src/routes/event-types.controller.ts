/** `/v1/event-types`: the catalogue of events a webhook can subscribe to, with the JSON Schema of each `data`. */
import { Controller, Get } from '@nestjs/common';
import { WebhookRpc, type EventTypeView, type RequestContext } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/event-types')
export class EventTypesController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @RequireScope('webhooks:read')
  @ApiDoc({
    rpc: WebhookRpc.eventTypes,
    tag: 'Webhooks',
    summary: 'List the event types: description, JSON Schema of `data`, example',
    returns: 'every subscribable event type',
  })
  list(@Ctx() ctx: RequestContext): Promise<RouteResult<EventTypeView[]>> {
    return forward(this.rpc, WebhookRpc.eventTypes, ctx, {});
  }
}
