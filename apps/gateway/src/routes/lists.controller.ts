/**
 * `/v1/lists`: validate, forward over Kafka, return. The export streams
 * (member-export.ts): bounded chunks, back-pressure, constant memory.
 */
import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  CreateListSchema,
  ListExportQuerySchema,
  ListMembersChangeSchema,
  ListListMembersQuerySchema,
  ListListsQuerySchema,
  SegmentRpc,
  UpdateListSchema,
  type ListMembersChangeReply,
  type ListMemberView,
  type ListView,
  type RequestContext,
} from '@sigil/contracts';
import { parseOrThrow, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXPORT_CHUNK_ROWS, EXPORT_CHUNK_TIMEOUT_MS, retryOnce, streamMemberExport } from './member-export';

@Controller('v1/lists')
export class ListsController {
  private readonly logger = new Logger('ListsController');

  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('lists:write')
  @HttpCode(201)
  @ApiDoc({ rpc: SegmentRpc.listCreate, tag: 'Lists', summary: 'Create a static list', body: CreateListSchema, status: 201 })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ListView>> {
    return forward(this.rpc, SegmentRpc.listCreate, ctx, { body });
  }

  @Get()
  @RequireScope('lists:read')
  @ApiDoc({ rpc: SegmentRpc.listList, tag: 'Lists', summary: 'List lists', query: ListListsQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>): Promise<RouteResult<ListView[]>> {
    return forward(this.rpc, SegmentRpc.listList, ctx, { query });
  }

  @Get(':id')
  @RequireScope('lists:read')
  @ApiDoc({ rpc: SegmentRpc.listGet, tag: 'Lists', summary: 'Get a list with its member count' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ListView>> {
    return forward(this.rpc, SegmentRpc.listGet, ctx, { params: { id } });
  }

  @Patch(':id')
  @RequireScope('lists:write')
  @ApiDoc({ rpc: SegmentRpc.listUpdate, tag: 'Lists', summary: 'Rename or describe a list', body: UpdateListSchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ListView>> {
    return forward(this.rpc, SegmentRpc.listUpdate, ctx, { params: { id }, body });
  }

  @Delete(':id')
  @RequireScope('lists:write')
  @HttpCode(204)
  @ApiDoc({ rpc: SegmentRpc.listDelete, tag: 'Lists', summary: 'Delete a list (409 while a segment rule uses it)', status: 204 })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, SegmentRpc.listDelete, ctx, { params: { id } });
  }

  @Post(':id/members')
  @RequireScope('lists:write')
  @HttpCode(200)
  @ApiDoc({ rpc: SegmentRpc.listAddMembers, tag: 'Lists', summary: 'Add up to 1 000 contacts; a result per id', body: ListMembersChangeSchema })
  addMembers(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ListMembersChangeReply>> {
    return forward(this.rpc, SegmentRpc.listAddMembers, ctx, { params: { id }, body });
  }

  @Delete(':id/members')
  @RequireScope('lists:write')
  @ApiDoc({ rpc: SegmentRpc.listRemoveMembers, tag: 'Lists', summary: 'Remove up to 1 000 contacts; a result per id', body: ListMembersChangeSchema })
  removeMembers(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ListMembersChangeReply>> {
    return forward(this.rpc, SegmentRpc.listRemoveMembers, ctx, { params: { id }, body });
  }

  @Get(':id/members')
  @RequireScope('lists:read')
  @ApiDoc({ rpc: SegmentRpc.listMembers, tag: 'Lists', summary: 'List members (contacts)', query: ListListMembersQuerySchema, paginated: true })
  members(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<RouteResult<ListMemberView[]>> {
    return forward(this.rpc, SegmentRpc.listMembers, ctx, { params: { id }, query });
  }

  @Get(':id/export')
  @RequireScope('lists:read')
  @ApiDoc({
    tag: 'Lists',
    summary: 'Export members, streamed at any size (unsubscribed and suppressed contacts only with include_unsubscribed=true)',
    query: ListExportQuerySchema,
    streamed: ['text/csv', 'application/x-ndjson'],
  })
  async export(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const { format, include_unsubscribed } = parseOrThrow(ListExportQuerySchema, query);
    await streamMemberExport<ListMemberView>(
      reply,
      {
        id,
        format,
        timeColumn: 'added_at',
        timeOf: (m) => m.added_at,
        fetch: async (next) => {
          const after = (next as string | null) ?? null;
          const { data } = await retryOnce(() =>
            this.rpc.call(SegmentRpc.listExportChunk, ctx, { body: { list_id: id, after, limit: EXPORT_CHUNK_ROWS, include_unsubscribed } }, EXPORT_CHUNK_TIMEOUT_MS),
          );
          return { members: data.members, next: data.next_after };
        },
      },
      this.logger,
    );
  }
}
