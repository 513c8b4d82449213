/** Kafka request handlers of lists: call the service with the validated request, reply. */
import { SegmentRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { ListsService } from './lists.service';

@RpcHandlers()
export class ListsHandlers {
  constructor(private readonly lists: ListsService) {}

  @HandleRpc(SegmentRpc.listCreate)
  create({ ctx, input }: RpcCall<typeof SegmentRpc.listCreate>) {
    return this.lists.create(ctx, input.body);
  }

  @HandleRpc(SegmentRpc.listList, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof SegmentRpc.listList>) {
    return this.lists.list(ctx, input.query);
  }

  @HandleRpc(SegmentRpc.listGet, { readOnly: true })
  get({ ctx, input }: RpcCall<typeof SegmentRpc.listGet>) {
    return this.lists.get(ctx, input.params.id);
  }

  @HandleRpc(SegmentRpc.listUpdate)
  update({ ctx, input }: RpcCall<typeof SegmentRpc.listUpdate>) {
    return this.lists.update(ctx, input.params.id, input.body);
  }

  @HandleRpc(SegmentRpc.listDelete)
  async delete({ ctx, input }: RpcCall<typeof SegmentRpc.listDelete>) {
    await this.lists.delete(ctx, input.params.id);
    return null;
  }

  @HandleRpc(SegmentRpc.listAddMembers)
  addMembers({ ctx, input }: RpcCall<typeof SegmentRpc.listAddMembers>) {
    return this.lists.addMembers(ctx, input.params.id, input.body);
  }

  @HandleRpc(SegmentRpc.listRemoveMembers)
  removeMembers({ ctx, input }: RpcCall<typeof SegmentRpc.listRemoveMembers>) {
    return this.lists.removeMembers(ctx, input.params.id, input.body);
  }

  @HandleRpc(SegmentRpc.listMembers, { readOnly: true })
  members({ ctx, input }: RpcCall<typeof SegmentRpc.listMembers>) {
    return this.lists.members(ctx, input.params.id, input.query);
  }

  @HandleRpc(SegmentRpc.listExportChunk)
  exportChunk({ ctx, input }: RpcCall<typeof SegmentRpc.listExportChunk>) {
    return this.lists.exportChunk(ctx, input.body);
  }
}
