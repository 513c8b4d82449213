/** Kafka request handlers of segments, and the member-id query serving the contacts filters. */
import { SegmentRpc, type MemberIdsReply } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { ListsService } from '../lists/lists.service';
import { SegmentsService } from './segments.service';

@RpcHandlers()
export class SegmentsHandlers {
  constructor(
    private readonly segments: SegmentsService,
    private readonly lists: ListsService,
  ) {}

  @HandleRpc(SegmentRpc.segmentCreate)
  create({ ctx, input }: RpcCall<typeof SegmentRpc.segmentCreate>) {
    return this.segments.create(ctx, input.body);
  }

  @HandleRpc(SegmentRpc.segmentList, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof SegmentRpc.segmentList>) {
    return this.segments.list(ctx, input.query);
  }

  @HandleRpc(SegmentRpc.segmentGet, { readOnly: true })
  get({ ctx, input }: RpcCall<typeof SegmentRpc.segmentGet>) {
    return this.segments.get(ctx, input.params.id);
  }

  @HandleRpc(SegmentRpc.segmentUpdate)
  update({ ctx, input }: RpcCall<typeof SegmentRpc.segmentUpdate>) {
    return this.segments.update(ctx, input.params.id, input.body);
  }

  @HandleRpc(SegmentRpc.segmentDelete)
  async delete({ ctx, input }: RpcCall<typeof SegmentRpc.segmentDelete>) {
    await this.segments.delete(ctx, input.params.id);
    return null;
  }

  @HandleRpc(SegmentRpc.segmentPreview, { readOnly: true })
  preview({ ctx, input }: RpcCall<typeof SegmentRpc.segmentPreview>) {
    return this.segments.preview(ctx, input.body);
  }

  @HandleRpc(SegmentRpc.segmentContacts, { readOnly: true })
  contacts({ ctx, input }: RpcCall<typeof SegmentRpc.segmentContacts>) {
    return this.segments.contacts(ctx, input.params.id, input.query);
  }

  @HandleRpc(SegmentRpc.segmentCount, { readOnly: true })
  count({ ctx, input }: RpcCall<typeof SegmentRpc.segmentCount>) {
    return this.segments.count(ctx, input.params.id);
  }

  @HandleRpc(SegmentRpc.segmentHistory, { readOnly: true })
  history({ ctx, input }: RpcCall<typeof SegmentRpc.segmentHistory>) {
    return this.segments.history(ctx, input.params.id, input.query);
  }

  @HandleRpc(SegmentRpc.segmentExportChunk)
  exportChunk({ ctx, input }: RpcCall<typeof SegmentRpc.segmentExportChunk>) {
    return this.segments.exportChunk(ctx, input.body);
  }

  @HandleRpc(SegmentRpc.contactSegments, { readOnly: true })
  contactSegments({ ctx, input }: RpcCall<typeof SegmentRpc.contactSegments>) {
    return this.segments.contactSegments(ctx, input.params.id);
  }

  @HandleRpc(SegmentRpc.memberIds, { readOnly: true })
  memberIds({ ctx, input }: RpcCall<typeof SegmentRpc.memberIds>): Promise<MemberIdsReply> {
    const q = input.body;
    return q.list_id !== undefined ? this.lists.memberIds(ctx, q.list_id, q.after ?? '', q.limit) : this.segments.memberIds(ctx, q.segment_id!, q.after ?? '', q.limit);
  }
}
