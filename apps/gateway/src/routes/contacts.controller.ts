/** `/v1/contacts`: validate, forward over Kafka, return. */
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ContactPatterns, CreateContactSchema, type ContactView, type RequestContext } from '@sigil/contracts';
import { parseOrThrow, RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope.interceptor';

@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @RequireScope('contacts:write')
  @HttpCode(201)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<RouteResult<ContactView>> {
    return this.rpc.call(ContactPatterns.create, ctx, parseOrThrow(CreateContactSchema, body));
  }

  @Get(':id')
  @RequireScope('contacts:read')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactView>> {
    return this.rpc.call(ContactPatterns.get, ctx, { id });
  }
}
