/**
 * `/v1/segments`: validate, forward over Kafka, return. Rule trees are
 * validated in full by the segments service. The export streams like list
 * exports, every chunk read in the database snapshot the first one opened.
 */
import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  CreateSegmentSchema,
  ExportFormatSchema,
  SegmentHistoryQuerySchema,
  type SegmentHistoryPoint,
  PreviewSegmentSchema,
  ListSegmentContactsQuerySchema,
  ListSegmentsQuerySchema,
  SegmentRpc,
  UpdateSegmentSchema,
  type RequestContext,
  type SegmentContactView,
  type SegmentCountReply,
  type SegmentPreviewReply,
  type SegmentView,
} from '@sigil/contracts';
import { parseOrThrow, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXPORT_CHUNK_TIMEOUT_MS, retryOnce, SEGMENT_EXPORT_CHUNK_ROWS, streamTextExport } from './member-export';

@Controller('v1/segments')
export class SegmentsController {
  private readonly logger = new Logger('SegmentsController');

  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('segments:write')
  @HttpCode(201)
  @ApiDoc({
    rpc: SegmentRpc.segmentCreate,
    tag: 'Segments',
    summary: 'Create a dynamic segment (built in the background: status building → ready)',
    body: CreateSegmentSchema,
    status: 201,
  })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SegmentView>> {
    return forward(this.rpc, SegmentRpc.segmentCreate, ctx, { body });
  }

  @Get()
  @RequireScope('segments:read')
  @ApiDoc({ rpc: SegmentRpc.segmentList, tag: 'Segments', summary: 'List segments', query: ListSegmentsQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>): Promise<RouteResult<SegmentView[]>> {
    return forward(this.rpc, SegmentRpc.segmentList, ctx, { query });
  }

  @Post('preview')
  @RequireScope('segments:read')
  @HttpCode(200)
  @ApiDoc({ rpc: SegmentRpc.segmentPreview, tag: 'Segments', summary: 'Count and first contacts of rules, without saving', body: PreviewSegmentSchema })
  preview(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<SegmentPreviewReply>> {
    return forward(this.rpc, SegmentRpc.segmentPreview, ctx, { body });
  }

  @Get(':id')
  @RequireScope('segments:read')
  @ApiDoc({ rpc: SegmentRpc.segmentGet, tag: 'Segments', summary: 'Get a segment with its status and count' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<SegmentView>> {
    return forward(this.rpc, SegmentRpc.segmentGet, ctx, { params: { id } });
  }

  @Patch(':id')
  @RequireScope('segments:write')
  @ApiDoc({ rpc: SegmentRpc.segmentUpdate, tag: 'Segments', summary: 'Rename or change rules (rebuilt in the background)', body: UpdateSegmentSchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<SegmentView>> {
    return forward(this.rpc, SegmentRpc.segmentUpdate, ctx, { params: { id }, body });
  }

  @Delete(':id')
  @RequireScope('segments:write')
  @HttpCode(204)
  @ApiDoc({ rpc: SegmentRpc.segmentDelete, tag: 'Segments', summary: 'Delete a segment', status: 204 })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, SegmentRpc.segmentDelete, ctx, { params: { id } });
  }

  @Get(':id/contacts')
  @RequireScope('segments:read')
  @ApiDoc({ rpc: SegmentRpc.segmentContacts, tag: 'Segments', summary: 'Contacts in the segment', query: ListSegmentContactsQuerySchema, paginated: true })
  contacts(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<RouteResult<SegmentContactView[]>> {
    return forward(this.rpc, SegmentRpc.segmentContacts, ctx, { params: { id }, query });
  }

  @Get(':id/count')
  @RequireScope('segments:read')
  @ApiDoc({ rpc: SegmentRpc.segmentCount, tag: 'Segments', summary: 'Number of contacts in the segment' })
  count(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<SegmentCountReply>> {
    return forward(this.rpc, SegmentRpc.segmentCount, ctx, { params: { id } });
  }

  @Get(':id/history')
  @RequireScope('segments:read')
  @ApiDoc({ rpc: SegmentRpc.segmentHistory, tag: 'Segments', summary: 'Entries, exits and member count per hour or day (UTC)', query: SegmentHistoryQuerySchema })
  history(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<RouteResult<SegmentHistoryPoint[]>> {
    return forward(this.rpc, SegmentRpc.segmentHistory, ctx, { params: { id }, query });
  }

  @Get(':id/export')
  @RequireScope('segments:read')
  @ApiDoc({
    tag: 'Segments',
    summary: 'Export members as of the start of the export, streamed at any size',
    query: ExportFormatSchema,
    streamed: ['text/csv', 'application/x-ndjson'],
  })
  async export(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const { format } = parseOrThrow(ExportFormatSchema, query);
    await streamTextExport(
      reply,
      {
        id,
        format,
        timeColumn: 'since',
        fetch: async (next) => {
          const cursor = (next as { after: string; snapshot: string | null } | null) ?? { after: null, snapshot: null };
          const { data } = await retryOnce(() =>
            this.rpc.call(
              SegmentRpc.segmentExportChunk,
              ctx,
              { body: { segment_id: id, format, after: cursor.after, snapshot: cursor.snapshot, limit: SEGMENT_EXPORT_CHUNK_ROWS } },
              EXPORT_CHUNK_TIMEOUT_MS,
            ),
          );
          return { text: data.lines, next: data.next_after === null ? null : { after: data.next_after, snapshot: data.snapshot } };
        },
      },
      this.logger,
    );
  }
}
