/**
 * The request (or event) being served on this async path: its request id and
 * trace id are stamped on every log line and passed on in Kafka headers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal, RequestClient } from '@sigil/contracts';

export interface LogContext {
  request_id?: string;
  /**
   * The request's W3C `traceparent` (RequestContext's `trace_id`); where no span is recorded,
   * the request's own in this process (serveRpc): log lines and the events it writes continue it.
   */
  trace_id?: string;
  tenant_id?: string;
  event_id?: string;
  /** The request's credential and client: the outbox stamps them on the events it writes (audit log). */
  principal?: Principal;
  client?: RequestClient;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): LogContext | undefined {
  return storage.getStore();
}
