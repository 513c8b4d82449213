/**
 * Shapes of a Kafka request/reply between the gateway and a service. The
 * gateway derives the context from the credential; services never trust a
 * tenant or mode found in a payload.
 */
import type { ErrorBody } from './errors';

export type Mode = 'live' | 'test';

export interface Principal {
  kind: 'api_key' | 'user' | 'system';
  /** API key id or user id. */
  id: string;
  scopes: string[];
}

export interface RequestContext {
  tenant_id: string;
  mode: Mode;
  request_id: string;
  /**
   * The caller's W3C `traceparent` (despite the name), set by a gateway that records no spans
   * (no exporter: docs/tracing.md); services continue its trace when the Kafka header is missing.
   */
  trace_id?: string;
  principal?: Principal;
  /** Epoch ms after which the caller no longer waits: a service skips the request instead of doing dead work. */
  deadline_ms?: number;
  /**
   * A POST's `Idempotency-Key` (SHA-256 hex of it) and the request's
   * fingerprint: services record the key with their write (see the platform's
   * idempotency ledger), so a retry never writes twice.
   */
  idempotency?: { key: string; fingerprint: string };
  /**
   * Who is on the other end of the HTTP request, as the gateway saw it (client
   * IP after `TRUST_PROXY_HOPS`, `User-Agent`): services put it, with the
   * principal, in the metadata of the events a request causes, for the audit log.
   */
  client?: RequestClient;
}

export interface RequestClient {
  ip?: string;
  user_agent?: string;
}

export interface RpcRequest<P = unknown> {
  ctx: RequestContext;
  payload: P;
}

export interface PageMeta {
  page?: number;
  limit: number;
  total?: number;
  has_more: boolean;
  next_cursor?: string | null;
  prev_cursor?: string | null;
}

export type RpcReply<R = unknown> = { data: R; page?: PageMeta } | { error: ErrorBody };

export function isRpcFailure<R>(reply: RpcReply<R>): reply is { error: ErrorBody } {
  return typeof reply === 'object' && reply !== null && 'error' in reply;
}
