/** Kafka request handlers of activities. */
import { ContactRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { ActivitiesService } from './activities.service';

@RpcHandlers()
export class ActivitiesHandlers {
  constructor(private readonly activities: ActivitiesService) {}

  @HandleRpc(ContactRpc.recordActivity)
  record({ ctx, input }: RpcCall<typeof ContactRpc.recordActivity>) {
    return this.activities.record(ctx, input.params.id, input.body);
  }

  @HandleRpc(ContactRpc.listActivities, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof ContactRpc.listActivities>) {
    return this.activities.list(ctx, input.params.id, input.query);
  }
}
