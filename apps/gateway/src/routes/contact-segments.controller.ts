/**
 * `GET /v1/contacts/:id/segments`: the segments a contact is in now, with
 * `since`. The path is the contact's, the data the segments service's, so
 * the route forwards there (not to the contacts service).
 */
import { Controller, Get, Param } from '@nestjs/common';
import { SegmentRpc, type ContactSegmentView, type RequestContext } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/contacts')
export class ContactSegmentsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get(':id/segments')
  @RequireScope('segments:read')
  @ApiDoc({ rpc: SegmentRpc.contactSegments, tag: 'Segments', summary: 'The segments a contact is in now, with when it entered each' })
  list(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactSegmentView[]>> {
    return forward(this.rpc, SegmentRpc.contactSegments, ctx, { params: { id } });
  }
}
