/** `/v1/custom-fields`: definitions of typed contact fields, and their aggregates. Validate, forward over Kafka, return. */
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  AggregateQuerySchema,
  ContactRpc,
  CreateCustomFieldSchema,
  ListCustomFieldsQuerySchema,
  UpdateCustomFieldSchema,
  type CustomFieldAggregate,
  type CustomFieldView,
  type RequestContext,
} from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward, optionalBody } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/custom-fields')
export class CustomFieldsController {
  constructor(private readonly rpc: RpcClient) {}

  @ApiDoc({ rpc: ContactRpc.listFields, tag: 'Custom fields', summary: 'List custom field definitions', query: ListCustomFieldsQuerySchema, paginated: true })
  @Get()
  @RequireScope('contacts:read')
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<CustomFieldView[]>> {
    return forward(this.rpc, ContactRpc.listFields, ctx, { query });
  }

  @ApiDoc({
    rpc: ContactRpc.createField,
    tag: 'Custom fields',
    summary: 'Define a custom field (text, number, boolean, date, select, multi_select)',
    body: CreateCustomFieldSchema,
    status: 201,
  })
  @Post()
  @RequireScope('contacts:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<CustomFieldView>> {
    return forward(this.rpc, ContactRpc.createField, ctx, { body });
  }

  @ApiDoc({ rpc: ContactRpc.getField, tag: 'Custom fields', summary: 'Get a custom field definition' })
  @Get(':key')
  @RequireScope('contacts:read')
  get(@Ctx() ctx: RequestContext, @Param('key') key: string): Promise<RouteResult<CustomFieldView>> {
    return forward(this.rpc, ContactRpc.getField, ctx, { params: { key } });
  }

  /** Validated by the service, which also refuses a `key` (immutable) with its own message. */
  @ApiDoc({
    rpc: ContactRpc.updateField,
    tag: 'Custom fields',
    summary: 'Change label, options, required, or type (refused while values exist); the key is immutable',
    body: UpdateCustomFieldSchema,
  })
  @Patch(':key')
  @RequireScope('contacts:write')
  update(@Ctx() ctx: RequestContext, @Param('key') key: string, @Body() body: unknown): Promise<RouteResult<CustomFieldView>> {
    return forward(this.rpc, ContactRpc.updateField, ctx, { params: { key }, body: optionalBody(body) });
  }

  @ApiDoc({ rpc: ContactRpc.deleteField, tag: 'Custom fields', summary: 'Delete a definition and its values on every contact', status: 204 })
  @Delete(':key')
  @RequireScope('contacts:write')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('key') key: string): Promise<void> {
    await forward(this.rpc, ContactRpc.deleteField, ctx, { params: { key } });
  }

  @ApiDoc({
    rpc: ContactRpc.aggregateField,
    tag: 'Custom fields',
    summary: 'Aggregate a field: count, distinct, min/max/avg/sum, top values',
    query: AggregateQuerySchema,
    returns: 'CustomFieldAggregate',
  })
  @Get(':key/aggregate')
  @RequireScope('contacts:read')
  aggregate(@Ctx() ctx: RequestContext, @Param('key') key: string, @Query() query: unknown): Promise<RouteResult<CustomFieldAggregate>> {
    return forward(this.rpc, ContactRpc.aggregateField, ctx, { params: { key }, query });
  }
}
