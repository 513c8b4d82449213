/** Kafka request handlers of the webhooks service: call the service with the validated request, reply. */
import { WebhookRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { DeliveriesService } from '../delivery/deliveries.service';
import { RecoveriesService } from '../delivery/recoveries.service';
import { EndpointsService } from './endpoints.service';
import { eventTypeCatalogue } from './event-types';

@RpcHandlers()
export class WebhooksHandlers {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly deliveries: DeliveriesService,
    private readonly recoveries: RecoveriesService,
  ) {}

  @HandleRpc(WebhookRpc.create)
  create({ ctx, input }: RpcCall<typeof WebhookRpc.create>) {
    return this.endpoints.create(ctx, input.body);
  }

  @HandleRpc(WebhookRpc.list, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof WebhookRpc.list>) {
    return this.endpoints.list(ctx, input.query);
  }

  @HandleRpc(WebhookRpc.get, { readOnly: true })
  get({ ctx, input }: RpcCall<typeof WebhookRpc.get>) {
    return this.endpoints.get(ctx, input.params.id);
  }

  @HandleRpc(WebhookRpc.update)
  update({ ctx, input }: RpcCall<typeof WebhookRpc.update>) {
    return this.endpoints.update(ctx, input.params.id, input.body);
  }

  @HandleRpc(WebhookRpc.delete)
  delete({ ctx, input }: RpcCall<typeof WebhookRpc.delete>) {
    return this.endpoints.delete(ctx, input.params.id);
  }

  @HandleRpc(WebhookRpc.rotateSecret)
  rotateSecret({ ctx, input }: RpcCall<typeof WebhookRpc.rotateSecret>) {
    return this.endpoints.rotateSecret(ctx, input.params.id);
  }

  @HandleRpc(WebhookRpc.sendTest)
  sendTest({ ctx, input }: RpcCall<typeof WebhookRpc.sendTest>) {
    return this.deliveries.sendTest(ctx, input.params.id);
  }

  @HandleRpc(WebhookRpc.listDeliveries, { readOnly: true })
  listDeliveries({ ctx, input }: RpcCall<typeof WebhookRpc.listDeliveries>) {
    return this.deliveries.list(ctx, input.params.id, input.query);
  }

  @HandleRpc(WebhookRpc.getDelivery, { readOnly: true })
  getDelivery({ ctx, input }: RpcCall<typeof WebhookRpc.getDelivery>) {
    return this.deliveries.get(ctx, input.params.id, input.params.delivery_id);
  }

  @HandleRpc(WebhookRpc.retryDelivery)
  retryDelivery({ ctx, input }: RpcCall<typeof WebhookRpc.retryDelivery>) {
    return this.deliveries.retry(ctx, input.params.id, input.params.delivery_id);
  }

  @HandleRpc(WebhookRpc.recover)
  recover({ ctx, input }: RpcCall<typeof WebhookRpc.recover>) {
    return this.recoveries.start(ctx, input.params.id, input.body);
  }

  @HandleRpc(WebhookRpc.stats, { readOnly: true })
  stats({ ctx, input }: RpcCall<typeof WebhookRpc.stats>) {
    return this.deliveries.stats(ctx, input.params.id, input.query);
  }

  @HandleRpc(WebhookRpc.eventTypes, { readOnly: true })
  eventTypes() {
    return eventTypeCatalogue();
  }

  @HandleRpc(WebhookRpc.getRecovery, { readOnly: true })
  getRecovery({ ctx, input }: RpcCall<typeof WebhookRpc.getRecovery>) {
    return this.recoveries.get(ctx, input.params.id, input.params.recovery_id);
  }
}
