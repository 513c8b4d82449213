/**
 * Members of a list or segment, asked of the segments service over Kafka
 * (the contacts service never reads the segments database): contact ids in
 * ascending order, keyset-paged.
 */
import { Injectable } from '@nestjs/common';
import { SegmentRpc, type MemberIdsReply, type RequestContext } from '@sigil/contracts';
import { DomainError, RpcClient } from '@sigil/platform';

export interface MembershipFilter {
  list_id?: string;
  segment_id?: string;
}

@Injectable()
export class SegmentMembersClient {
  constructor(private readonly rpc: RpcClient) {}

  async page(ctx: RequestContext, filter: MembershipFilter, after: string | null, limit: number): Promise<MemberIdsReply> {
    const reply = await this.rpc.call(SegmentRpc.memberIds, ctx, { body: { ...filter, after, limit } });
    return reply.data;
  }

  /** Whether the list is the tenant's (in the context's mode): the segments service answers 404 otherwise. */
  async listExists(ctx: RequestContext, listId: string): Promise<boolean> {
    try {
      await this.page(ctx, { list_id: listId }, null, 1);
      return true;
    } catch (err) {
      if (err instanceof DomainError && err.status === 404) return false;
      throw err;
    }
  }
}
