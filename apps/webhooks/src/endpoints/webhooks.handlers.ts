/** Kafka request handlers of the webhooks service: parse, call the service, reply. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { WebhookPatterns, type DeliveryRef, type RpcRequest, type WebhookRef } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { DeliveriesService } from '../delivery/deliveries.service';
import { EndpointsService } from './endpoints.service';

type WithBody<R> = R & { body?: unknown; query?: unknown };

@RpcHandlers()
export class WebhooksHandlers {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  @MessagePattern(WebhookPatterns.create)
  create(@Payload() req: RpcRequest) {
    return this.endpoints.create(req.ctx, req.payload);
  }

  @MessagePattern(WebhookPatterns.list)
  list(@Payload() req: RpcRequest) {
    return this.endpoints.list(req.ctx, req.payload);
  }

  @MessagePattern(WebhookPatterns.get)
  get(@Payload() req: RpcRequest<WebhookRef>) {
    return this.endpoints.get(req.ctx, req.payload?.id);
  }

  @MessagePattern(WebhookPatterns.update)
  update(@Payload() req: RpcRequest<WithBody<WebhookRef>>) {
    return this.endpoints.update(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(WebhookPatterns.delete)
  delete(@Payload() req: RpcRequest<WebhookRef>) {
    return this.endpoints.delete(req.ctx, req.payload?.id);
  }

  @MessagePattern(WebhookPatterns.rotateSecret)
  rotateSecret(@Payload() req: RpcRequest<WebhookRef>) {
    return this.endpoints.rotateSecret(req.ctx, req.payload?.id);
  }

  @MessagePattern(WebhookPatterns.sendTest)
  sendTest(@Payload() req: RpcRequest<WebhookRef>) {
    return this.deliveries.sendTest(req.ctx, req.payload?.id);
  }

  @MessagePattern(WebhookPatterns.listDeliveries)
  listDeliveries(@Payload() req: RpcRequest<WithBody<WebhookRef>>) {
    return this.deliveries.list(req.ctx, req.payload?.id, req.payload?.query);
  }

  @MessagePattern(WebhookPatterns.getDelivery)
  getDelivery(@Payload() req: RpcRequest<DeliveryRef>) {
    return this.deliveries.get(req.ctx, req.payload?.id, req.payload?.delivery_id);
  }

  @MessagePattern(WebhookPatterns.retryDelivery)
  retryDelivery(@Payload() req: RpcRequest<DeliveryRef>) {
    return this.deliveries.retry(req.ctx, req.payload?.id, req.payload?.delivery_id);
  }

  @MessagePattern(WebhookPatterns.recover)
  recover(@Payload() req: RpcRequest<WithBody<WebhookRef>>) {
    return this.deliveries.recover(req.ctx, req.payload?.id, req.payload?.body);
  }
}
