/** Kafka request handlers of the system-wide snapshots used to build other services' read models. */
import { ContactRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { SnapshotsService } from './snapshots.service';

@RpcHandlers()
export class SnapshotsHandlers {
  constructor(private readonly snapshots: SnapshotsService) {}

  @HandleRpc(ContactRpc.snapshot, { readOnly: true })
  contacts({ ctx, input }: RpcCall<typeof ContactRpc.snapshot>) {
    return this.snapshots.contacts(ctx, input.body);
  }

  @HandleRpc(ContactRpc.activitiesSnapshot, { readOnly: true })
  activities({ ctx, input }: RpcCall<typeof ContactRpc.activitiesSnapshot>) {
    return this.snapshots.activities(ctx, input.body);
  }
}
