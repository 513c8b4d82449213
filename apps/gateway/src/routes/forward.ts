/**
 * How a route hands its request to the service that owns it: the path
 * params, query string and JSON body as HTTP delivered them, in the one
 * request shape of every pattern (`defineRpc` in contracts). The service
 * validates them against the same definition (it is the authority), so the
 * gateway does not check them a second time; the reply's type follows from
 * the definition.
 */
import type { RequestContext, RpcDefinition, RpcReplyOf, RpcRequestOf } from '@sigil/contracts';
import type { RpcClient, RpcResult } from '@sigil/platform';

/** What HTTP gave the route; not yet validated. */
export interface HttpRequestParts {
  params?: Record<string, string>;
  query?: unknown;
  body?: unknown;
}

export function forward<D extends RpcDefinition>(
  rpc: RpcClient,
  def: D,
  ctx: RequestContext,
  parts: HttpRequestParts,
  timeoutMs?: number,
): Promise<RpcResult<RpcReplyOf<D>>> {
  // The one place unvalidated input takes the request's type: the handler validates it before any use.
  return rpc.call(def, ctx, parts as RpcRequestOf<D>, timeoutMs);
}

/**
 * The body of a route whose body may be left out: a missing body is `{}`; anything sent (JSON `null`
 * included) goes on as it is, so the service's validation refuses what is not an object.
 */
export function optionalBody(body: unknown): unknown {
  return body === undefined ? {} : body;
}
