/**
 * The service side of a request/reply definition (`defineRpc` in contracts):
 * `@HandleRpc(def)` subscribes a handler to the definition's pattern and
 * validates the request against the definition's schema before the handler
 * runs, so the handler and its service receive parsed, typed input. This is
 * the one place a request is validated: the service is the authority.
 *
 * The decorator also records the definition and the undecorated method on
 * the method (`RPC_HANDLER_METADATA`), so `ConcurrentServerKafka` serves the
 * request by calling it directly (rpc-dispatch.ts) rather than through Nest's
 * RPC proxy; the Nest handler it registers stays for anything else.
 *
 * `{ readOnly: true }` states that the handler writes nothing (no SQL write,
 * no outbox event, no Redis state): served twice, it does no harm. The
 * server then commits its request's offset lazily, with the next write's or
 * on an interval, instead of one OffsetCommit per request
 * (offset-committer.ts). Mark a handler only after reading what it calls.
 */
import { MessagePattern } from '@nestjs/microservices';
import { RPC_REQUEST_PARTS, type RequestContext, type RpcDefinition, type RpcInputOf, type RpcReplyOf, type RpcRequest, type RpcRequestSchema } from '@sigil/contracts';
import { parseOrThrow } from '../errors/validation';
import { HandlerOutcome, type Paged } from './rpc-handlers';

/** What a handler of `D` receives: the caller's context and the validated request. */
export interface RpcCall<D> {
  ctx: RequestContext;
  input: RpcInputOf<D>;
}

/** A handler's result: the reply, or for a list a page of its items. */
type HandlerResult<R> = R | (R extends (infer Item)[] ? Paged<Item> : never);

/**
 * Validates each part of a request on its own, so a field's path in a 400 is
 * the one the client wrote (`email`, not `body.email`).
 */
export function parseRpcRequest<D extends RpcDefinition>(def: D, payload: unknown): RpcInputOf<D> {
  const received = (payload ?? {}) as Record<string, unknown>;
  const shape = (def.request as RpcRequestSchema).shape;
  const parsed: Record<string, unknown> = {};
  for (const part of RPC_REQUEST_PARTS) {
    const schema = shape[part];
    if (schema) parsed[part] = parseOrThrow(schema, received[part]);
  }
  return parsed as RpcInputOf<D>;
}

/** What `@HandleRpc` records on the method it decorates. */
export interface RpcHandlerMetadata {
  def: RpcDefinition;
  /** The handler writes nothing: a request served twice is harmless (its offset may be committed lazily). */
  readOnly: boolean;
  /** The method as written: takes an `RpcCall`, returns or throws its result. */
  method: (call: RpcCall<RpcDefinition>) => unknown;
}

export const RPC_HANDLER_METADATA = 'sigil:rpc-handler';

type Handler<D> = (call: RpcCall<D>) => HandlerResult<RpcReplyOf<D>> | Promise<HandlerResult<RpcReplyOf<D>>>;

/** What a handler states about itself. */
export interface HandleRpcOptions {
  /** It writes nothing (see the file's comment). */
  readOnly?: boolean;
}

export function HandleRpc<D extends RpcDefinition>(def: D, options: HandleRpcOptions = {}) {
  return <F extends Handler<D>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<F>): void => {
    const handler = descriptor.value!;
    // Runs inside serveRpc (ConcurrentServerKafka): a validation failure goes back as a 400 reply.
    descriptor.value = function (this: unknown, request: RpcRequest | undefined) {
      return HandlerOutcome.of(() => handler.call(this, { ctx: request?.ctx as RequestContext, input: parseRpcRequest(def, request?.payload) }));
    } as unknown as F;
    Reflect.defineMetadata(
      RPC_HANDLER_METADATA,
      { def, readOnly: options.readOnly === true, method: handler as RpcHandlerMetadata['method'] } satisfies RpcHandlerMetadata,
      descriptor.value!,
    );
    MessagePattern(def.pattern)(target, key, descriptor);
  };
}
