/** `/v1/contacts`: validate, forward over Kafka, return. */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
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
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope.interceptor';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** A 1 000-row upsert is one transaction of real work: it gets this many times the usual request timeout. */
const BATCH_TIMEOUT_FACTOR = 6;

@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @ApiDoc({ tag: 'Contacts', summary: 'List contacts: page+limit or cursor; filters tag, list_id, segment_id, updated_since (loss-free sync), q (prefix), sort', query: ListContactsQuerySchema, paginated: true })
  @Get()
  @RequireScope('contacts:read')
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<ContactView[]>> {
    return this.rpc.call(ContactPatterns.list, ctx, parseOrThrow(ListContactsQuerySchema, query));
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Create a contact (409 with existing_id on a duplicate email)', body: CreateContactSchema, status: 201 })
  @Post()
  @RequireScope('contacts:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return this.rpc.call(ContactPatterns.create, ctx, parseOrThrow(CreateContactSchema, body));
  }

  /** Rows are checked one by one by the service (a bad row fails alone); here only the envelope and the row count. */
  @ApiDoc({ tag: 'Contacts', summary: 'Upsert up to 1 000 contacts by email; a result per row (created, updated or error)', body: BatchUpsertSchema, returns: '{results, created, updated, unchanged, failed}' })
  @Post('batch')
  @RequireScope('contacts:write')
  @HttpCode(200)
  batch(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<BatchUpsertReply>> {
    const rows = (body as { contacts?: unknown } | null)?.contacts;
    if (Array.isArray(rows) && rows.length > MAX_BATCH_ROWS) {
      throw new DomainError(413, 'payload_too_large', `A batch holds at most ${MAX_BATCH_ROWS} contacts.`, undefined, { max_rows: MAX_BATCH_ROWS });
    }
    const timeoutMs = this.config.KAFKA_REQUEST_TIMEOUT_MS * BATCH_TIMEOUT_FACTOR;
    return this.rpc.call(ContactPatterns.batchUpsert, ctx, parseOrThrow(BatchUpsertSchema, body), timeoutMs);
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Get a contact' })
  @Get(':id')
  @RequireScope('contacts:read')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactView>> {
    return this.rpc.call(ContactPatterns.get, ctx, { id });
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Update a contact partially (null clears; tags replace; custom_fields merge)', body: UpdateContactSchema })
  @Patch(':id')
  @RequireScope('contacts:write')
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    parseOrThrow(UpdateContactSchema, body ?? {});
    return this.rpc.call(ContactPatterns.update, ctx, { id, changes: body ?? {} });
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Erase a contact, its custom field values and activities (GDPR)', status: 204 })
  @Delete(':id')
  @RequireScope('contacts:write')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.call(ContactPatterns.delete, ctx, { id });
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Add tags', body: TagsRequestSchema })
  @Post(':id/tags')
  @RequireScope('contacts:write')
  @HttpCode(200)
  addTags(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    const { tags } = parseOrThrow(TagsRequestSchema, body);
    return this.rpc.call(ContactPatterns.addTags, ctx, { id, tags });
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Remove tags', body: TagsRequestSchema })
  @Delete(':id/tags')
  @RequireScope('contacts:write')
  removeTags(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    const { tags } = parseOrThrow(TagsRequestSchema, body);
    return this.rpc.call(ContactPatterns.removeTags, ctx, { id, tags });
  }

  @ApiDoc({ tag: 'Contacts', summary: 'Record an activity of a contact', body: RecordActivitySchema, status: 201 })
  @Post(':id/activities')
  @RequireScope('contacts:write')
  @HttpCode(201)
  recordActivity(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ActivityView>> {
    return this.rpc.call(ContactPatterns.recordActivity, ctx, { contact_id: id, activity: parseOrThrow(RecordActivitySchema, body) });
  }

  @ApiDoc({ tag: 'Contacts', summary: 'List activities of a contact, newest first', query: ListActivitiesQuerySchema, paginated: true })
  @Get(':id/activities')
  @RequireScope('contacts:read')
  listActivities(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<ActivityView[]>> {
    return this.rpc.call(ContactPatterns.listActivities, ctx, { contact_id: id, query: parseOrThrow(ListActivitiesQuerySchema, query) });
  }
}
