/**
 * `GET /v1/contacts/:id/segments`: the segments a contact is in now, with
 * `since`. The memberships are the segments service's; whether the contact
 * exists is the contacts service's, which owns contacts. The route asks both
 * at once: the contacts service's 404 (an unknown id, another tenant's, a
 * deleted one) is the answer even while the segments service still has the
 * contact, and a contact the segments service has not read yet (just
 * created) is in no segment: 200 `[]`, not that service's 404.
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
      'The segments the contact is in now, each with `since` (when it entered). Memberships follow a write within seconds: a contact ' +
      'created a moment ago is in none yet (an empty list), and a 404 means that the id names no contact of this tenant (or a deleted one).',
  })
  async list(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ContactSegmentView[]>> {
    // What is no contact id names no contact anywhere: the segments service answers its 404 without a second call.
    if (!isId('con', id)) return forward(this.rpc, SegmentRpc.contactSegments, ctx, { params: { id } });
    // Both at once: the answer takes as long as the slower of the two, not their sum.
    const [segments, contact] = await Promise.allSettled([
      forward(this.rpc, SegmentRpc.contactSegments, ctx, { params: { id } }),
      forward(this.rpc, ContactRpc.get, ctx, { params: { id } }),
    ]);
    if (contact.status === 'rejected') throw contact.reason;
    if (segments.status === 'fulfilled') return segments.value;
    if (segments.reason instanceof DomainError && segments.reason.status === 404) return { data: [] };
    throw segments.reason;
  }
}
