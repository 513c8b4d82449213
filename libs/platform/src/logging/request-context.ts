/**
 * The request (or event) being served on this async path: its request id and
 * trace id are stamped on every log line and passed on in Kafka headers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal, RequestClient } from '@sigil/contracts';

export interface LogContext {
  request_id?: string;
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
