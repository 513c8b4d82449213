/** `/v1/contacts`: validate, forward over Kafka, return. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  BatchUpsertSchema,
  ContactPatterns,
  CreateContactSchema,
  ListActivitiesQuerySchema,
  ListContactsQuerySchema,
  MAX_BATCH_ROWS,
  RecordActivitySchema,
  TagsRequestSchema,
  UpdateContactSchema,
  type ActivityView,
  type BatchUpsertReply,
  type ContactView,
  type RequestContext,
} from '@sigil/contracts';
import { DomainError, parseOrThrow, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope.interceptor';

@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @RequireScope('contacts:read')
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<ContactView[]>> {
    return this.rpc.call(ContactPatterns.list, ctx, parseOrThrow(ListContactsQuerySchema, query));
  }

  @Post()
  @RequireScope('contacts:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return this.rpc.call(ContactPatterns.create, ctx, parseOrThrow(CreateContactSchema, body));
  }

  /** Rows are checked one by one by the service (a bad row fails alone); here only the envelope and the row count. */
  @Post('batch')
  @RequireScope('contacts:write')
  @HttpCode(200)
  batch(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<BatchUpsertReply>> {
    const rows = (body as { contacts?: unknown } | null)?.contacts;
    if (Array.isArray(rows) && rows.length > MAX_BATCH_ROWS) {
      throw new DomainError(413, 'payload_too_large', `A batch holds at most ${MAX_BATCH_ROWS} contacts.`, undefined, { max_rows: MAX_BATCH_ROWS });
    }
    return this.rpc.call(ContactPatterns.batchUpsert, ctx, parseOrThrow(BatchUpsertSchema, body));
  }

  @Get(':id')
  @RequireScope('contacts:read')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactView>> {
    return this.rpc.call(ContactPatterns.get, ctx, { id });
  }

  @Patch(':id')
  @RequireScope('contacts:write')
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    parseOrThrow(UpdateContactSchema, body ?? {});
    return this.rpc.call(ContactPatterns.update, ctx, { id, changes: body ?? {} });
  }

  @Delete(':id')
  @RequireScope('contacts:write')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.call(ContactPatterns.delete, ctx, { id });
  }

  @Post(':id/tags')
  @RequireScope('contacts:write')
  @HttpCode(200)
  addTags(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    const { tags } = parseOrThrow(TagsRequestSchema, body);
    return this.rpc.call(ContactPatterns.addTags, ctx, { id, tags });
  }

  @Delete(':id/tags')
  @RequireScope('contacts:write')
  removeTags(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    const { tags } = parseOrThrow(TagsRequestSchema, body);
    return this.rpc.call(ContactPatterns.removeTags, ctx, { id, tags });
  }

  @Post(':id/activities')
  @RequireScope('contacts:write')
  @HttpCode(201)
  recordActivity(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ActivityView>> {
    return this.rpc.call(ContactPatterns.recordActivity, ctx, { contact_id: id, activity: parseOrThrow(RecordActivitySchema, body) });
  }

  @Get(':id/activities')
  @RequireScope('contacts:read')
  listActivities(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<ActivityView[]>> {
    return this.rpc.call(ContactPatterns.listActivities, ctx, { contact_id: id, query: parseOrThrow(ListActivitiesQuerySchema, query) });
  }
}
