/** Kafka request handlers of the system-wide snapshots used to build other services' read models. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ContactPatterns, type RpcRequest, type SnapshotRequest } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { SnapshotsService } from './snapshots.service';

@RpcHandlers()
export class SnapshotsHandlers {
  constructor(private readonly snapshots: SnapshotsService) {}

  @MessagePattern(ContactPatterns.snapshot)
  contacts(@Payload() req: RpcRequest<SnapshotRequest>) {
    return this.snapshots.contacts(req.ctx, req.payload);
  }

  @MessagePattern(ContactPatterns.activitiesSnapshot)
  activities(@Payload() req: RpcRequest<SnapshotRequest>) {
    return this.snapshots.activities(req.ctx, req.payload);
  }
}
