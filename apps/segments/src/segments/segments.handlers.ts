/** Kafka request handlers of segments, and the member-id query serving the contacts filters. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MemberIdsSchema, SegmentPatterns, type MemberIdsReply, type RpcRequest, type SegmentsRouteRequest } from '@sigil/contracts';
import { parseOrThrow, RpcHandlers } from '@sigil/platform';
import { ListsService } from '../lists/lists.service';
import { SegmentsService } from './segments.service';

@RpcHandlers()
export class SegmentsHandlers {
  constructor(
    private readonly segments: SegmentsService,
    private readonly lists: ListsService,
  ) {}

  @MessagePattern(SegmentPatterns.segmentCreate)
  create(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.create(req.ctx, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.segmentList)
  list(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.list(req.ctx, req.payload?.query);
  }

  @MessagePattern(SegmentPatterns.segmentGet)
  get(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.get(req.ctx, req.payload?.id);
  }

  @MessagePattern(SegmentPatterns.segmentUpdate)
  update(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.update(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.segmentDelete)
  async delete(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    await this.segments.delete(req.ctx, req.payload?.id);
    return null;
  }

  @MessagePattern(SegmentPatterns.segmentPreview)
  preview(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.preview(req.ctx, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.segmentContacts)
  contacts(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.contacts(req.ctx, req.payload?.id, req.payload?.query);
  }

  @MessagePattern(SegmentPatterns.segmentCount)
  count(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.segments.count(req.ctx, req.payload?.id);
  }

  @MessagePattern(SegmentPatterns.memberIds)
  memberIds(@Payload() req: RpcRequest): Promise<MemberIdsReply> {
    const q = parseOrThrow(MemberIdsSchema, req.payload);
    return q.list_id !== undefined
      ? this.lists.memberIds(req.ctx, q.list_id, q.after ?? '', q.limit)
      : this.segments.memberIds(req.ctx, q.segment_id!, q.after ?? '', q.limit);
  }
}
