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
import { copyText } from '../database/copy-data';
import { copyInto } from '../database/copy-into';
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

export interface AppendOptions {
  /**
   * The rows go in by `COPY` (insertCopied) instead of one JSON document: for the thousands of events of an
   * import batch. Needs the manager of an open transaction; same rows, order and wake-up.
   */
  copy?: boolean;
}

@Injectable()
export class OutboxWriter {
  async append(manager: EntityManager, events: NewEvent[], options: AppendOptions = {}): Promise<DomainEvent[]> {
    if (!events.length) return [];
    // Every write emits events, so this is where an idempotent request records its key, in the write's transaction.
    await recordIdempotencyKey(manager);
    const prepared = this.prepare(events);
    if (options.copy) await this.insertCopied(manager, prepared);
    else await this.insert(manager, prepared);
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
    // One headers object per event type and one timestamp per call, shared by the events (an import batch prepares 2 000).
    const headersOf = new Map<string, Record<string, string>>();
    let now: string | undefined;
    return events.map((e) => {
      const meta = eventMeta(e, ctx);
      const envelope: DomainEvent = {
        id: newId('evt'),
        type: e.type,
        tenant_id: e.tenant_id,
        mode: e.mode,
        occurred_at: e.occurred_at ? e.occurred_at.toISOString() : (now ??= new Date().toISOString()),
        version: EVENT_ENVELOPE_VERSION,
        data: e.data,
        ...(meta ? { meta } : {}),
      };
      let typed = headersOf.get(e.type);
      if (!typed) {
        typed = { ...headers, [KafkaHeaderNames.eventType]: e.type };
        headersOf.set(e.type, typed);
      }
      return { envelope, key: e.key, headers: typed };
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
    await manager.query(`WITH appended AS (${outboxInsertSql('$1')}) SELECT ${OUTBOX_NOTIFY_SQL}`, [outboxRowsJson(prepared)]);
  }

  /**
   * `insert` by `COPY … FROM STDIN` (text format) in the caller's transaction, then the relay's NOTIFY: each
   * envelope is only checked as JSON and stored as it is, where `insert` has PostgreSQL parse one document of
   * all the rows (`jsonb_to_recordset` was 13 % of the contacts database's busy time in a 200 000-row import,
   * the largest share after the contacts' own INSERT) and take each envelope out of it again. Rows keep the events'
   * order (seq follows the COPY's). Records no idempotency key (`append` does).
   */
  async insertCopied(manager: EntityManager, prepared: PreparedEvent[]): Promise<void> {
    if (!prepared.length) return;
    // A transaction (copyInto refuses without one): the NOTIFY is a second statement.
    // All the lines in one write, made before the statement starts: sent in pieces, PostgreSQL waited for the
    // next one whenever the event loop was at other work meanwhile (the next batch's preparation).
    await copyInto(manager, OUTBOX_COPY_SQL, [outboxCopyText(prepared)]);
    await manager.query(`SELECT ${OUTBOX_NOTIFY_SQL}`);
  }
}

const OUTBOX_COPY_SQL = 'COPY outbox_events (id, topic, key, type, envelope, headers) FROM STDIN';

/** The COPY data of prepared events (one line each); each distinct headers object is serialised once. */
export function outboxCopyText(prepared: readonly PreparedEvent[]): string {
  const headersText = new Map<Record<string, string>, string>();
  let text = '';
  for (const p of prepared) {
    let headers = headersText.get(p.headers);
    if (headers === undefined) {
      headers = copyText(JSON.stringify(p.headers));
      headersText.set(p.headers, headers);
    }
    const e = p.envelope;
    text += `${copyText(e.id)}\t${copyText(EVENT_TOPIC_OF[e.type])}\t${copyText(p.key)}\t${copyText(e.type)}\t${copyText(JSON.stringify(e))}\t${headers}\n`;
  }
  return text;
}

/** The outbox rows of prepared events as one JSON document: the parameter of `outboxInsertSql`. */
export function outboxRowsJson(prepared: readonly PreparedEvent[]): string {
  return JSON.stringify(
    prepared.map((p) => ({
      id: p.envelope.id,
      topic: EVENT_TOPIC_OF[p.envelope.type],
      key: p.key,
      type: p.envelope.type,
      envelope: p.envelope,
      headers: p.headers,
    })),
  );
}

/**
 * The outbox's INSERT of the rows in the JSON document of parameter `param`
 * (`outboxRowsJson`), in their order, for a writer that appends its events
 * in the very statement of its change (a data-modifying WITH: the change and
 * its events commit together even without a transaction around them).
 * `where` keeps some of the rows (`r.key` is the aggregate id: e.g. only the
 * contacts another WITH inserted). The statement must also select
 * `OUTBOX_NOTIFY_SQL`, which wakes the relay at commit. `json`, not `jsonb`:
 * each envelope is stored as the text JSON.stringify made (OutboxJson
 * migration), never parsed into a tree only to be printed again for Kafka.
 */
export function outboxInsertSql(param: string, where?: string): string {
  return `INSERT INTO outbox_events (id, topic, key, type, envelope, headers)
         SELECT r.id, r.topic, r.key, r.type, r.envelope, r.headers
         FROM ROWS FROM (json_to_recordset(${param}::json) AS (id text, topic text, key text, type text, envelope json, headers json)) WITH ORDINALITY
              AS r(id, topic, key, type, envelope, headers, n)
         ${where ? `WHERE ${where}` : ''}
         ORDER BY r.n`;
}

/** Selected by every statement that appends to the outbox: the relay's wake-up, delivered at commit. */
export const OUTBOX_NOTIFY_SQL = `pg_notify('${OUTBOX_CHANNEL}', '')`;
