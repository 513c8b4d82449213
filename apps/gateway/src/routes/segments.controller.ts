/** `/v1/segments`: validate, forward over Kafka, return. Rule trees are validated in full by the segments service. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CreateSegmentSchema,
  PreviewSegmentSchema,
  SegmentRpc,
  SegmentsPageQuerySchema,
  UpdateSegmentSchema,
  type RequestContext,
  type SegmentContactView,
  type SegmentCountReply,
  type SegmentPreviewReply,
  type SegmentView,
} from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/segments')
export class SegmentsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('segments:write')
  @HttpCode(201)
  @ApiDoc({ tag: 'Segments', summary: 'Create a dynamic segment (built in the background: status building → ready)', body: CreateSegmentSchema, status: 201 })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SegmentView>> {
    return forward(this.rpc, SegmentRpc.segmentCreate, ctx, { body });
  }

  @Get()
  @RequireScope('segments:read')
  @ApiDoc({ tag: 'Segments', summary: 'List segments', query: SegmentsPageQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>): Promise<RouteResult<SegmentView[]>> {
    return forward(this.rpc, SegmentRpc.segmentList, ctx, { query });
  }

  @Post('preview')
  @RequireScope('segments:read')
  @HttpCode(200)
  @ApiDoc({ tag: 'Segments', summary: 'Count and first contacts of rules, without saving', body: PreviewSegmentSchema })
  preview(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SegmentPreviewReply>> {
    return forward(this.rpc, SegmentRpc.segmentPreview, ctx, { body });
  }

  @Get(':id')
  @RequireScope('segments:read')
  @ApiDoc({ tag: 'Segments', summary: 'Get a segment with its status and count' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<SegmentView>> {
    return forward(this.rpc, SegmentRpc.segmentGet, ctx, { params: { id } });
  }

  @Patch(':id')
  @RequireScope('segments:write')
  @ApiDoc({ tag: 'Segments', summary: 'Rename or change rules (rebuilt in the background)', body: UpdateSegmentSchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<SegmentView>> {
    return forward(this.rpc, SegmentRpc.segmentUpdate, ctx, { params: { id }, body });
  }

  @Delete(':id')
  @RequireScope('segments:write')
  @HttpCode(204)
  @ApiDoc({ tag: 'Segments', summary: 'Delete a segment', status: 204 })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, SegmentRpc.segmentDelete, ctx, { params: { id } });
  }

  @Get(':id/contacts')
  @RequireScope('segments:read')
  @ApiDoc({ tag: 'Segments', summary: 'Contacts in the segment', query: SegmentsPageQuerySchema, paginated: true })
  contacts(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<RouteResult<SegmentContactView[]>> {
    return forward(this.rpc, SegmentRpc.segmentContacts, ctx, { params: { id }, query });
  }

  @Get(':id/count')
  @RequireScope('segments:read')
  @ApiDoc({ tag: 'Segments', summary: 'Number of contacts in the segment' })
  count(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<SegmentCountReply>> {
    return forward(this.rpc, SegmentRpc.segmentCount, ctx, { params: { id } });
  }
}
