/**
 * `/v1/subscriptions/*`: the public end of double opt-in and one-click
 * unsubscribe (RFC 8058). No credential — the signed token says which
 * tenant, mode and contact — so these are limited per client IP, like the
 * other public routes; the IP is also kept in the consent history.
 *
 * Unsubscribe is what a mail client calls for `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`: a POST to the `List-Unsubscribe` URL (the
 * token in its query), with the body `List-Unsubscribe=One-Click` sent
 * form-encoded or as multipart, no cookies and no credential. A JSON
 * `{token}` body works as well. It is idempotent: a repeat answers the same.
 */
import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ContactRpc, OneClickFormSchema, SubscriptionTokenSchema, type RequestContext, type SubscriptionChangeView } from '@sigil/contracts';
import { Public, RpcClient, ValidationFailed } from '@sigil/platform';
import { traceOf } from '../auth/request-context';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { LimitByIp } from '../rate-limit/ip-limit.decorator';
import { forward } from './forward';

/** A one-click body holds one or two short fields; anything bigger or with a file is not one. */
const ONE_CLICK_PART_LIMITS = { fields: 4, fieldSize: 4096, files: 0, parts: 4 };

function anonymous(req: FastifyRequest): RequestContext {
  return { tenant_id: 'anonymous', mode: 'live', request_id: req.id, ...traceOf(req) };
}

@Controller('v1/subscriptions')
@Public()
export class SubscriptionsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('confirm')
  @HttpCode(200)
  @LimitByIp('subscriptions', 'SUBSCRIPTION_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({
    rpc: ContactRpc.confirmSubscription,
    tag: 'Subscriptions',
    summary: 'Confirm a double opt-in with its token (no credential): the contact becomes subscribed',
    body: SubscriptionTokenSchema,
  })
  confirm(@Req() req: FastifyRequest, @Body() body: unknown): Promise<RouteResult<SubscriptionChangeView>> {
    return forward(this.rpc, ContactRpc.confirmSubscription, anonymous(req), { params: { client_ip: req.ip ?? null }, body });
  }

  @Post('unsubscribe')
  @HttpCode(200)
  @LimitByIp('subscriptions', 'SUBSCRIPTION_LIMIT_PER_IP_PER_MINUTE', 60_000)
  @ApiDoc({
    tag: 'Subscriptions',
    summary:
      'One-click unsubscribe (RFC 8058, no credential): the token in the query (`?token=`, the List-Unsubscribe URL) or the body; the body may be `List-Unsubscribe=One-Click` form-encoded or multipart, or JSON. Idempotent.',
    rpc: ContactRpc.unsubscribe,
    form: OneClickFormSchema,
  })
  async unsubscribe(@Req() req: FastifyRequest, @Query() query: unknown, @Body() body: unknown): Promise<RouteResult<SubscriptionChangeView>> {
    const fields = req.isMultipart() ? await multipartFields(req) : (body ?? {});
    return forward(this.rpc, ContactRpc.unsubscribe, anonymous(req), { params: { client_ip: req.ip ?? null }, query, body: fields });
  }
}

/** The text fields of a small multipart body; a file, too many or too big parts are a 400. */
async function multipartFields(req: FastifyRequest): Promise<Record<string, unknown>> {
  const fields = new Map<string, unknown>();
  try {
    for await (const part of req.parts({ limits: ONE_CLICK_PART_LIMITS })) {
      if (part.type === 'file' || part.valueTruncated) throw new Error('not a one-click body');
      if (fields.has(part.fieldname)) throw new Error(`${part.fieldname} sent twice`);
      fields.set(part.fieldname, part.value);
    }
  } catch (err) {
    throw new ValidationFailed([{ field: '(body)', code: 'invalid', message: `not a one-click unsubscribe body: ${(err as Error).message}` }]);
  }
  return Object.fromEntries(fields);
}
