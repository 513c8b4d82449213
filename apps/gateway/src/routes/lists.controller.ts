/**
 * `/v1/lists`: validate, forward over Kafka, return. The export streams: the
 * gateway pages through bounded export chunks (keyset cursor) and writes each
 * to the HTTP response as it arrives, honouring back-pressure, so neither the
 * gateway nor the segments service ever holds more than two chunks.
 */
import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  CreateListSchema,
  ExportFormatSchema,
  ListMembersChangeSchema,
  SegmentRpc,
  SegmentsPageQuerySchema,
  UpdateListSchema,
  type ListMembersChangeReply,
  type ListMemberView,
  type ListView,
  type RequestContext,
} from '@sigil/contracts';
import { parseOrThrow, RpcClient, UpstreamTimeout } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import { csvCell, writeText } from '../http/csv';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

const EXPORT_CHUNK_ROWS = 1000;
const EXPORT_CHUNK_TIMEOUT_MS = 30000;

@Controller('v1/lists')
export class ListsController {
  private readonly logger = new Logger('ListsController');

  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('lists:write')
  @HttpCode(201)
  @ApiDoc({ tag: 'Lists', summary: 'Create a static list', body: CreateListSchema, status: 201 })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ListView>> {
    return forward(this.rpc, SegmentRpc.listCreate, ctx, { body });
  }

  @Get()
  @RequireScope('lists:read')
  @ApiDoc({ tag: 'Lists', summary: 'List lists', query: SegmentsPageQuerySchema, paginated: true })
  list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>): Promise<RouteResult<ListView[]>> {
    return forward(this.rpc, SegmentRpc.listList, ctx, { query });
  }

  @Get(':id')
  @RequireScope('lists:read')
  @ApiDoc({ tag: 'Lists', summary: 'Get a list with its member count' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ListView>> {
    return forward(this.rpc, SegmentRpc.listGet, ctx, { params: { id } });
  }

  @Patch(':id')
  @RequireScope('lists:write')
  @ApiDoc({ tag: 'Lists', summary: 'Rename or describe a list', body: UpdateListSchema })
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ListView>> {
    return forward(this.rpc, SegmentRpc.listUpdate, ctx, { params: { id }, body });
  }

  @Delete(':id')
  @RequireScope('lists:write')
  @HttpCode(204)
  @ApiDoc({ tag: 'Lists', summary: 'Delete a list (409 while a segment rule uses it)', status: 204 })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, SegmentRpc.listDelete, ctx, { params: { id } });
  }

  @Post(':id/members')
  @RequireScope('lists:write')
  @HttpCode(200)
  @ApiDoc({ tag: 'Lists', summary: 'Add up to 1 000 contacts; a result per id', body: ListMembersChangeSchema })
  addMembers(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ListMembersChangeReply>> {
    return forward(this.rpc, SegmentRpc.listAddMembers, ctx, { params: { id }, body });
  }

  @Delete(':id/members')
  @RequireScope('lists:write')
  @ApiDoc({ tag: 'Lists', summary: 'Remove up to 1 000 contacts; a result per id', body: ListMembersChangeSchema })
  removeMembers(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ListMembersChangeReply>> {
    return forward(this.rpc, SegmentRpc.listRemoveMembers, ctx, { params: { id }, body });
  }

  @Get(':id/members')
  @RequireScope('lists:read')
  @ApiDoc({ tag: 'Lists', summary: 'List members (contacts)', query: SegmentsPageQuerySchema, paginated: true })
  members(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<RouteResult<ListMemberView[]>> {
    return forward(this.rpc, SegmentRpc.listMembers, ctx, { params: { id }, query });
  }

  @Get(':id/export')
  @RequireScope('lists:read')
  @ApiDoc({ tag: 'Lists', summary: 'Export members, streamed at any size', query: ExportFormatSchema, streamed: ['text/csv', 'application/x-ndjson'] })
  async export(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { format } = parseOrThrow(ExportFormatSchema, query);
    // A chunk is a read that can be asked again: one retry, and a timeout sized for a busy database.
    const fetchChunk = async (after: string | null) => {
      const ask = () =>
        this.rpc.call(SegmentRpc.listExportChunk, ctx, { body: { list_id: id, after, limit: EXPORT_CHUNK_ROWS } }, EXPORT_CHUNK_TIMEOUT_MS);
      return ask().catch((err: unknown) => {
        if (err instanceof UpstreamTimeout) return ask();
        throw err;
      });
    };
    // The first chunk comes before any byte is written, so a 404 still gets the error envelope.
    let chunk = (await fetchChunk(null)).data;
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${id.replace(/[^\w-]/g, '')}.${format}"`,
      'cache-control': 'no-store',
    });
    const line = format === 'csv' ? csvLine : (m: ListMemberView) => `${JSON.stringify(m)}\n`;
    try {
      if (format === 'csv') await writeText(out, CSV_HEADER);
      for (;;) {
        // Ask for the next chunk while this one is written.
        const next = chunk.next_after !== null ? fetchChunk(chunk.next_after) : undefined;
        next?.catch(() => undefined);
        if (chunk.members.length) await writeText(out, chunk.members.map(line).join(''));
        if (!next || out.destroyed) break;
        chunk = (await next).data;
      }
      out.end();
    } catch (err) {
      // Headers are gone: the only honest signal left is an aborted response.
      this.logger.error(`list export ${id} aborted: ${String(err)}`);
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }
}


const CSV_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'phone', 'tags', 'custom_fields', 'created_at', 'updated_at', 'added_at'] as const;
const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

function csvLine(m: ListMemberView): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    id: m.id,
    email: m.email,
    first_name: m.first_name ?? '',
    last_name: m.last_name ?? '',
    phone: m.phone ?? '',
    tags: m.tags.join(';'),
    custom_fields: Object.keys(m.custom_fields).length ? JSON.stringify(m.custom_fields) : '',
    created_at: m.created_at,
    updated_at: m.updated_at,
    added_at: m.added_at,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(cells[c], c === 'phone')).join(',')}\r\n`;
}
