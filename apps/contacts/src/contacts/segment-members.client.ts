/**
 * Members of a list or segment, asked of the segments service over Kafka
 * (the contacts service never reads the segments database): contact ids in
 * ascending order, keyset-paged.
 */
import { Injectable } from '@nestjs/common';
import { SegmentPatterns, type MemberIdsReply, type MemberIdsRequest, type RequestContext } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';

export interface MembershipFilter {
  list_id?: string;
  segment_id?: string;
}

@Injectable()
export class SegmentMembersClient {
  constructor(private readonly rpc: RpcClient) {}

  async page(ctx: RequestContext, filter: MembershipFilter, after: string | null, limit: number): Promise<MemberIdsReply> {
    const request: MemberIdsRequest = { ...filter, after, limit };
    const reply = await this.rpc.call<MemberIdsReply, MemberIdsRequest>(SegmentPatterns.memberIds, ctx, request);
    return reply.data;
  }
}
