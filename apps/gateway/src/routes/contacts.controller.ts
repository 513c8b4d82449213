/** `/v1/contacts`: validate, forward over Kafka, return. */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  BatchUpsertSchema,
  ContactRpc,
  CreateContactSchema,
  ListActivitiesQuerySchema,
  ListConsentQuerySchema,
  ListContactsQuerySchema,
  MAX_BATCH_ROWS,
  MergeContactsSchema,
  RecordActivitySchema,
  TagsRequestSchema,
  UpdateContactSchema,
  type ActivityView,
  type BatchUpsertReply,
  type ConsentRecordView,
  type ContactView,
  type SubscriptionTokenView,
  type MergeContactsReply,
  type RequestContext,
  ContactViewSchema,
} from '@sigil/contracts';
import { DomainError, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward, optionalBody } from './forward';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** A 1 000-row upsert is one transaction of real work: it gets this many times the usual request timeout. */
const BATCH_TIMEOUT_FACTOR = 6;

@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @ApiDoc({
    rpc: ContactRpc.list,
    tag: 'Contacts',
    summary: 'List contacts: page+limit or cursor; filters tag, list_id, segment_id, external_id, updated_since (loss-free sync), q (prefix), sort',
    query: ListContactsQuerySchema,
    paginated: true,
  })
  @Get()
  @RequireScope('contacts:read')
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<ContactView[]>> {
    return forward(this.rpc, ContactRpc.list, ctx, { query });
  }

  @ApiDoc({
    rpc: ContactRpc.create,
    tag: 'Contacts',
    summary: 'Create a contact (409 with existing_id on a duplicate email or external_id)',
    body: CreateContactSchema,
    status: 201,
  })
  @Post()
  @RequireScope('contacts:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return forward(this.rpc, ContactRpc.create, ctx, { body });
  }

  /** Rows are checked one by one by the service (a bad row fails alone); here only the envelope and the row count. */
  @ApiDoc({
    rpc: ContactRpc.batchUpsert,
    tag: 'Contacts',
    summary: 'Upsert up to 1 000 contacts by email or external_id (match_on); a result per row (created, updated or error)',
    body: BatchUpsertSchema,
    returns: '{results, created, updated, unchanged, failed}',
  })
  @Post('batch')
  @RequireScope('contacts:write')
  @HttpCode(200)
  batch(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<BatchUpsertReply>> {
    const rows = (body as { contacts?: unknown } | null)?.contacts;
    if (Array.isArray(rows) && rows.length > MAX_BATCH_ROWS) {
      throw new DomainError(413, 'payload_too_large', `A batch holds at most ${MAX_BATCH_ROWS} contacts.`, undefined, { max_rows: MAX_BATCH_ROWS });
    }
    const timeoutMs = this.config.KAFKA_REQUEST_TIMEOUT_MS * BATCH_TIMEOUT_FACTOR;
    return forward(this.rpc, ContactRpc.batchUpsert, ctx, { body }, timeoutMs);
  }

  @ApiDoc({
    rpc: ContactRpc.merge,
    tag: 'Contacts',
    summary:
      'Merge up to 50 duplicates into a primary contact: activities, tags, list memberships, empty fields and custom fields move to it, the duplicates are deleted (idempotent)',
    body: MergeContactsSchema,
    returns: '{contact, merged_ids}',
  })
  @Post('merge')
  @RequireScope('contacts:write')
  @HttpCode(200)
  merge(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<MergeContactsReply>> {
    return forward(this.rpc, ContactRpc.merge, ctx, { body });
  }

  /** Create-or-update by the caller's own id, as a batch row matched on `external_id` would be; 201 when created, 200 when updated. */
  @ApiDoc({
    tag: 'Contacts',
    summary:
      'Upsert a contact by external_id: created (201) if no contact has it, else updated with PATCH semantics (200); 409 with existing_id if the email is another contact’s',
    rpc: ContactRpc.upsertByExternalId,
    response: ContactViewSchema,
    alsoStatus: 201,
  })
  @Put('by-external-id/:external_id')
  @RequireScope('contacts:write')
  async upsertByExternalId(
    @Ctx() ctx: RequestContext,
    @Param('external_id') externalId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RouteResult<ContactView>> {
    const { data } = await forward(this.rpc, ContactRpc.upsertByExternalId, ctx, { params: { external_id: externalId }, body });
    void reply.status(data.created ? 201 : 200);
    return { data: data.contact };
  }

  @ApiDoc({ rpc: ContactRpc.get, tag: 'Contacts', summary: 'Get a contact' })
  @Get(':id')
  @RequireScope('contacts:read')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactView>> {
    return forward(this.rpc, ContactRpc.get, ctx, { params: { id } });
  }

  @ApiDoc({ rpc: ContactRpc.update, tag: 'Contacts', summary: 'Update a contact partially (null clears; tags replace; custom_fields merge)', body: UpdateContactSchema })
  @Patch(':id')
  @RequireScope('contacts:write')
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return forward(this.rpc, ContactRpc.update, ctx, { params: { id }, body: optionalBody(body) });
  }

  @ApiDoc({ rpc: ContactRpc.delete, tag: 'Contacts', summary: 'Erase a contact, its custom field values and activities (GDPR)', status: 204 })
  @Delete(':id')
  @RequireScope('contacts:write')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await forward(this.rpc, ContactRpc.delete, ctx, { params: { id } });
  }

  @ApiDoc({ rpc: ContactRpc.addTags, tag: 'Contacts', summary: 'Add tags', body: TagsRequestSchema })
  @Post(':id/tags')
  @RequireScope('contacts:write')
  @HttpCode(200)
  addTags(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return forward(this.rpc, ContactRpc.addTags, ctx, { params: { id }, body });
  }

  @ApiDoc({ rpc: ContactRpc.removeTags, tag: 'Contacts', summary: 'Remove tags', body: TagsRequestSchema })
  @Delete(':id/tags')
  @RequireScope('contacts:write')
  removeTags(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return forward(this.rpc, ContactRpc.removeTags, ctx, { params: { id }, body });
  }

  @ApiDoc({ rpc: ContactRpc.recordActivity, tag: 'Contacts', summary: 'Record an activity of a contact', body: RecordActivitySchema, status: 201 })
  @Post(':id/activities')
  @RequireScope('contacts:write')
  @HttpCode(201)
  recordActivity(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<ActivityView>> {
    return forward(this.rpc, ContactRpc.recordActivity, ctx, { params: { id }, body });
  }

  @ApiDoc({ rpc: ContactRpc.listActivities, tag: 'Contacts', summary: 'List activities of a contact, newest first', query: ListActivitiesQuerySchema, paginated: true })
  @Get(':id/activities')
  @RequireScope('contacts:read')
  listActivities(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<ActivityView[]>> {
    return forward(this.rpc, ContactRpc.listActivities, ctx, { params: { id }, query });
  }

  @ApiDoc({
    rpc: ContactRpc.consentHistory,
    tag: 'Contacts',
    summary: 'Consent history of a contact: every subscription_status change with source, ip, actor, newest first',
    query: ListConsentQuerySchema,
    paginated: true,
  })
  @Get(':id/consent')
  @RequireScope('contacts:read')
  consent(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): Promise<RouteResult<ConsentRecordView[]>> {
    return forward(this.rpc, ContactRpc.consentHistory, ctx, { params: { id }, query });
  }

  @ApiDoc({
    rpc: ContactRpc.requestConfirmation,
    tag: 'Contacts',
    summary: 'Start double opt-in: the contact becomes pending; returns a signed, single-use token for POST /v1/subscriptions/confirm',
    status: 201,
  })
  @Post(':id/confirmation')
  @RequireScope('contacts:write')
  @HttpCode(201)
  requestConfirmation(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<SubscriptionTokenView>> {
    return forward(this.rpc, ContactRpc.requestConfirmation, ctx, { params: { id } });
  }

  /** A write scope although a GET: the token it hands out can unsubscribe the contact. */
  @ApiDoc({
    rpc: ContactRpc.unsubscribeToken,
    tag: 'Contacts',
    summary:
      'A signed one-click unsubscribe token (RFC 8058): put `<base>/v1/subscriptions/unsubscribe?token=…` in List-Unsubscribe, with List-Unsubscribe-Post: List-Unsubscribe=One-Click',
  })
  @Get(':id/unsubscribe-token')
  @RequireScope('contacts:write')
  unsubscribeToken(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<SubscriptionTokenView>> {
    return forward(this.rpc, ContactRpc.unsubscribeToken, ctx, { params: { id } });
  }
}
