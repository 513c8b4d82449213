/** Kafka request handlers of lists: parse, call the service, reply. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SegmentPatterns, type RpcRequest, type SegmentsRouteRequest } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { ListsService } from './lists.service';

@RpcHandlers()
export class ListsHandlers {
  constructor(private readonly lists: ListsService) {}

  @MessagePattern(SegmentPatterns.listCreate)
  create(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.create(req.ctx, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.listList)
  list(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.list(req.ctx, req.payload?.query);
  }

  @MessagePattern(SegmentPatterns.listGet)
  get(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.get(req.ctx, req.payload?.id);
  }

  @MessagePattern(SegmentPatterns.listUpdate)
  update(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.update(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.listDelete)
  async delete(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    await this.lists.delete(req.ctx, req.payload?.id);
    return null;
  }

  @MessagePattern(SegmentPatterns.listAddMembers)
  addMembers(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.addMembers(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.listRemoveMembers)
  removeMembers(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.removeMembers(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(SegmentPatterns.listMembers)
  members(@Payload() req: RpcRequest<SegmentsRouteRequest>) {
    return this.lists.members(req.ctx, req.payload?.id, req.payload?.query);
  }

  @MessagePattern(SegmentPatterns.listExportChunk)
  exportChunk(@Payload() req: RpcRequest) {
    return this.lists.exportChunk(req.ctx, req.payload);
  }
}
