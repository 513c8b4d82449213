/**
 * `GET /v1/contacts/:id/segments`: the segments a contact is in now, with
 * `since`. The path is the contact's, the data the segments service's, so
 * the route forwards there; when that service does not know the contact
 * (its read model has not consumed the contact's event yet), the contacts
 * service, which owns contacts, says whether it exists in this tenant: then
 * it is in no segment yet (200, `[]`), else the contacts service's 404.
 */
import { Controller, Get, Param } from '@nestjs/common';
import { ContactRpc, SegmentRpc, type ContactSegmentView, type RequestContext } from '@sigil/contracts';
import { DomainError, isId, RpcClient } from '@sigil/platform';
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
  @ApiDoc({
    rpc: SegmentRpc.contactSegments,
    tag: 'Segments',
    summary: 'The segments a contact is in now, with when it entered each',
    returns:
      'The segments the contact is in now, each with `since` (when it entered). Membership follows a write within seconds: a contact of ' +
      'this tenant that the segments service has not read yet (just created) is in none, an empty list, not a 404; 404 is for an id ' +
      'that names no contact of this tenant.',
  })
  async list(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactSegmentView[]>> {
    try {
      return await forward(this.rpc, SegmentRpc.contactSegments, ctx, { params: { id } });
    } catch (err) {
      // Only a well-formed contact id is worth asking the owner about: anything else is no contact anywhere.
      if (!(err instanceof DomainError) || err.status !== 404 || !isId('con', id)) throw err;
      // The contacts service's answer decides: its 404 (another tenant's id, an unknown or deleted one) goes to the client.
      await forward(this.rpc, ContactRpc.get, ctx, { params: { id } });
      return { data: [] };
    }
  }
}
