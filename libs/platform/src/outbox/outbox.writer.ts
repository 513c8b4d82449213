/**
 * Writes domain events to the outbox inside the caller's transaction, so an
 * event exists if and only if the change that caused it was committed. A
 * NOTIFY (delivered at commit) wakes the relay at once.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EVENT_ENVELOPE_VERSION,
  EVENT_TOPIC_OF,
  KafkaHeaderNames,
  type AuditActor,
  type DomainEvent,
  type EventMeta,
  type EventPayloads,
  type EventType,
  type Mode,
} from '@sigil/contracts';
import { recordIdempotencyKey } from '../idempotency/idempotency-ledger';
import { newId } from '../ids';
import { currentContext, type LogContext } from '../logging/request-context';
import { activeTraceContextOr, injectTraceHeaders } from '../tracing/trace-context';

export const OUTBOX_CHANNEL = 'sigil_outbox';

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  tenant_id: string;
  mode: Mode;
  /** Aggregate id: the Kafka key, for per-aggregate ordering. */
  key: string;
  data: EventPayloads[T];
  occurred_at?: Date;
  /** Values of the changed fields before the change (the audit log's `changes.before`). */
  previous?: Record<string, unknown>;
  /** The actor when the request's credential is not it (a sign-in: the user signing in). */
  actor?: AuditActor;
}

/**
 * The event's metadata from the request being served: the credential that
 * acts, its client and request id. Set here once so every write path of every
 * service gets it without passing it along.
 */
export function eventMeta(e: Pick<NewEvent, 'key' | 'previous' | 'actor'>, ctx: LogContext | undefined): EventMeta | undefined {
  const principal = ctx?.principal;
  const actor = e.actor ?? (principal && principal.kind !== 'system' ? { type: principal.kind, id: principal.id } : undefined);
  if (!actor) return undefined;
  return {
    actor,
    ...(ctx?.client?.ip ? { ip: ctx.client.ip } : {}),
    ...(ctx?.client?.user_agent ? { user_agent: ctx.client.user_agent } : {}),
    ...(ctx?.request_id ? { request_id: ctx.request_id } : {}),
    resource_id: e.key,
    ...(e.previous ? { previous: e.previous } : {}),
  };
}

/** An event ready for the outbox: its envelope and Kafka headers, made in the context of the request that caused it. */
export interface PreparedEvent {
  envelope: DomainEvent;
  key: string;
  headers: Record<string, string>;
}

@Injectable()
export class OutboxWriter {
  async append(manager: EntityManager, events: NewEvent[]): Promise<DomainEvent[]> {
    if (!events.length) return [];
    // Every write emits events, so this is where an idempotent request records its key, in the write's transaction.
    await recordIdempotencyKey(manager);
    const prepared = this.prepare(events);
    await this.insert(manager, prepared);
    return prepared.map((p) => p.envelope);
  }

  /**
   * Envelopes and headers of these events, from the current request context
   * (actor, IP, user agent, request id, trace). A write that serves several
   * requests at once (ContactCreates) prepares each request's events in that
   * request's own context and inserts them together.
   */
  prepare(events: NewEvent[]): PreparedEvent[] {
    const ctx = currentContext();
    // The writing span's traceparent: consumers of these events continue the request's trace.
    const headers = injectTraceHeaders<Record<string, string>>({}, activeTraceContextOr(ctx?.trace_id));
    if (ctx?.request_id) headers[KafkaHeaderNames.requestId] = ctx.request_id;
    return events.map((e) => {
      const meta = eventMeta(e, ctx);
      const envelope: DomainEvent = {
        id: newId('evt'),
        type: e.type,
        tenant_id: e.tenant_id,
        mode: e.mode,
        occurred_at: (e.occurred_at ?? new Date()).toISOString(),
        version: EVENT_ENVELOPE_VERSION,
        data: e.data,
        ...(meta ? { meta } : {}),
      };
      return { envelope, key: e.key, headers: { ...headers, [KafkaHeaderNames.eventType]: e.type } };
    });
  }

  /**
   * Inserts prepared events in the caller's transaction: one statement
   * whatever the count, so a 1 000-row import costs one round trip; the
   * NOTIFY rides in the same statement (a data-modifying WITH always runs to
   * completion). The rows go as one JSON document: one JSON.stringify, where
   * a jsonb[] parameter cost a stringify per event and then pg's
   * array-literal escaping of each (docs/contacts.md, "Batch upsert"). Rows
   * keep the events' order (seq follows it). It records no idempotency key:
   * `append` does.
   */
  async insert(manager: EntityManager, prepared: PreparedEvent[]): Promise<void> {
    if (!prepared.length) return;
    const rows = prepared.map((p) => ({
      id: p.envelope.id,
      topic: EVENT_TOPIC_OF[p.envelope.type],
      key: p.key,
      type: p.envelope.type,
      envelope: p.envelope,
      headers: p.headers,
    }));
    await manager.query(
      `WITH appended AS (
         INSERT INTO outbox_events (id, topic, key, type, envelope, headers)
         SELECT r.id, r.topic, r.key, r.type, r.envelope, r.headers
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id text, topic text, key text, type text, envelope jsonb, headers jsonb)) WITH ORDINALITY
              AS r(id, topic, key, type, envelope, headers, n)
         ORDER BY r.n
       )
       SELECT pg_notify($2, '')`,
      [JSON.stringify(rows), OUTBOX_CHANNEL],
    );
  }
}
