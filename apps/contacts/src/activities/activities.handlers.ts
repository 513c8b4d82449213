/** Kafka request handlers of activities. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ContactPatterns, type ListActivitiesRpc, type RecordActivityRpc, type RpcRequest } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { ActivitiesService } from './activities.service';

@RpcHandlers()
export class ActivitiesHandlers {
  constructor(private readonly activities: ActivitiesService) {}

  @MessagePattern(ContactPatterns.recordActivity)
  record(@Payload() req: RpcRequest<RecordActivityRpc>) {
    return this.activities.record(req.ctx, req.payload?.contact_id, req.payload?.activity);
  }

  @MessagePattern(ContactPatterns.listActivities)
  list(@Payload() req: RpcRequest<ListActivitiesRpc>) {
    return this.activities.list(req.ctx, req.payload?.contact_id, req.payload?.query);
  }
}
