/**
 * One declaration per request/reply pattern: its wire name, the schema of its
 * request and the type of its reply. The caller (`RpcClient.call`) and the
 * handler (`@HandleRpc`) both take the definition, so the two ends of a
 * pattern cannot drift apart, and the OpenAPI document is built from the same
 * request schemas.
 *
 * Every request has one shape, whatever the service: `{ params, query, body }`
 * (path ids, query string, JSON body), each part present only when the
 * pattern has it. Internal patterns (verify, snapshots, member ids) carry
 * their arguments in `body`. The service validates each part once, against
 * the definition, before its handler runs: it is the authority on what it
 * accepts, so the gateway forwards what it received instead of checking it twice.
 */
import { z } from 'zod';

/** The parts of a request, in the order they are validated. */
export const RPC_REQUEST_PARTS = ['params', 'query', 'body'] as const;
export type RpcRequestPart = (typeof RPC_REQUEST_PARTS)[number];

/** A request schema: an object of (some of) the parts above. */
export type RpcRequestSchema = z.ZodObject<{ [K in RpcRequestPart]?: z.ZodTypeAny }>;

export interface RpcDefinition<Req extends RpcRequestSchema = RpcRequestSchema, Res = unknown> {
  readonly pattern: string;
  readonly request: Req;
  /** The reply's type. Replies come from the service, the authority, so they are typed, not re-validated. */
  readonly response: z.ZodType<Res>;
}

export function defineRpc<Req extends RpcRequestSchema, Res>(pattern: string, request: Req, response: z.ZodType<Res>): RpcDefinition<Req, Res> {
  return { pattern, request, response };
}

/** The reply schema of a pattern whose reply is a TypeScript view (checked at compile time only). */
export function replyOf<T>(): z.ZodType<T> {
  return z.custom<T>(() => true);
}

/** What a caller sends: query strings still as text, bodies as the client wrote them. */
export type RpcRequestOf<D> = D extends { request: infer Req extends RpcRequestSchema } ? z.input<Req> : never;
/** What a handler receives once its service has validated the request. */
export type RpcInputOf<D> = D extends { request: infer Req extends RpcRequestSchema } ? z.output<Req> : never;
/** What the handler replies (a list's items; the page travels beside them). */
export type RpcReplyOf<D> = D extends { response: z.ZodType<infer Res> } ? Res : never;

/** The path id of a resource. Its format is the service's to judge (an unknown id is a 404, not a 400). */
export const ByIdParams = z.object({ id: z.string() });

/**
 * `T` as zod infers the schema written for it: a key holding `unknown` (any
 * JSON, `z.unknown()`) is optional in zod's inference, so a reply schema is
 * checked against this (`satisfies z.ZodType<AsInferred<View>>`) where its
 * view has such a key.
 */
export type AsInferred<T> = T extends readonly (infer I)[]
  ? AsInferred<I>[]
  : T extends object
    ? { [K in keyof T as unknown extends T[K] ? never : K]: AsInferred<T[K]> } & { [K in keyof T as unknown extends T[K] ? K : never]?: T[K] }
    : T;
