/**
 * What a service does with one request, whatever carried it: skip it when its
 * deadline has passed, answer a retried write from the idempotency ledger, run
 * the handler inside the request's context and a span continuing the caller's
 * trace (when spans are recorded; otherwise with only the request's own
 * `traceparent` in its log context, as the gateway does: no span and no
 * OpenTelemetry context per request), and turn the outcome into a reply — `{data}`, `{data, page}` for a
 * `Paged`, `{error}` for anything thrown (an unknown error without its
 * message).
 *
 * An idempotent write's reply is stored in the ledger for its retries; the
 * caller may send the reply while that write runs (`ledgerCompletion`): it is
 * a third pooled connection and round trip after the ledger lookup and the
 * write's transaction, and under a CPU shortage each one queues (the second
 * kill of the three-broker chaos run, docs/reliability.md, "Session 12").
 *
 * `ConcurrentServerKafka` calls it for every request it takes from Kafka. It
 * was a Nest interceptor until the request-path work (issue #13): Nest's
 * interceptor plumbing (an `AsyncResource.bind` per request, which builds two
 * `util.deprecate` wrappers in Node 20, and an rxjs pipeline) was a measurable
 * share of each service's CPU (docs/performance.md).
 */
import { Logger } from '@nestjs/common';
import type { IHeaders } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { serviceOfPattern, type RequestContext, type RpcReply, type RpcRequest } from '@sigil/contracts';
import { asDomainError, DomainError, UpstreamTimeout } from '../errors/domain-errors';
import { idempotencyScope, runIdempotent, type IdempotencyLedger } from '../idempotency/idempotency-ledger';
import { runWithContext } from '../logging/request-context';
import {
  extractTraceContext,
  recordFailure,
  spanIds,
  SpanKind,
  startSpan,
  traceparentIds,
  unrecordedTraceparent,
  withTraceContext,
  type Span,
  type TraceContext,
} from '../tracing/trace-context';
import { spansRecorded } from '../tracing/tracing';
import { HandlerOutcome, Paged } from './rpc-handlers';

const logger = new Logger('Rpc');

export interface RpcInvocation {
  /** The request's pattern (its span's name and the ledger's scope). */
  pattern: string;
  /** The decoded request; undefined when it did not decode. */
  request: RpcRequest | undefined;
  /** The Kafka headers of the request (`traceparent`). */
  headers?: IHeaders;
  /** Present in services that keep an idempotency ledger. */
  ledger?: IdempotencyLedger;
  /** The handler: a value, a promise, an Observable, or a `HandlerOutcome`. */
  handler: (request: RpcRequest | undefined) => unknown;
  /**
   * Takes the ledger's write of an idempotent request's reply (what a retry is answered with), so the
   * caller sends the reply without waiting for it (and waits for both before it counts the request
   * done). Without it, serveRpc waits for that write before it returns the reply.
   */
  ledgerCompletion?: (stored: Promise<void>) => void;
}

export async function serveRpc({ pattern, request, headers, ledger, handler, ledgerCompletion }: RpcInvocation): Promise<RpcReply> {
  const ctx: RequestContext | undefined = request?.ctx;
  if (ctx?.deadline_ms !== undefined && Date.now() > ctx.deadline_ms) {
    // The caller has already answered 504: doing the work now would only delay live requests.
    logger.warn(`skipping ${pattern} for ${ctx.request_id}: its deadline passed ${Date.now() - ctx.deadline_ms} ms ago`);
    return { error: new UpstreamTimeout(serviceOfPattern(pattern)).toBody() };
  }
  const scope = ledger ? idempotencyScope(ctx, pattern) : undefined;
  // The caller's span (Kafka `traceparent` header, else `ctx.trace_id`) is the parent: one trace from the gateway to here.
  let span: Span | undefined;
  let traced: TraceContext | undefined;
  let traceparent: string | undefined;
  if (spansRecorded()) {
    ({ span, ctx: traced } = startSpan(pattern, {
      kind: SpanKind.SERVER,
      parent: extractTraceContext(headers, ctx?.trace_id),
      attributes: { 'messaging.system': 'kafka', 'rpc.method': pattern, 'sigil.request_id': ctx?.request_id ?? '' },
    }));
  } else {
    // Nothing records spans: no span and no trace context, only this request's own traceparent (the
    // caller's trace id, a new span id) in the log context, where log lines and written events read it.
    traceparent = unrecordedTraceparent(headers?.['traceparent'] ?? ctx?.trace_id);
  }
  const started = performance.now();
  let outcome = 'ok';
  const handle = async (): Promise<RpcReply> => {
    try {
      // A retry of an idempotent write that was already done: its stored reply, not a second write.
      const earlier = scope && (await ledger!.earlierOutcome(scope));
      if (earlier) {
        outcome = 'idempotent_replay';
        return earlier;
      }
      const value = await settle(handler(request));
      const reply: RpcReply = value instanceof Paged ? { data: value.data, page: value.page } : { data: value };
      if (scope) {
        // A round trip and a pooled connection the reply need not wait for (docs/reliability.md, "Session 12").
        const stored = ledger!.complete(scope, reply);
        if (ledgerCompletion) ledgerCompletion(stored);
        else await stored;
      }
      return reply;
    } catch (err) {
      // A concurrent duplicate lost the race on the ledger (or failed on what the first one wrote).
      const earlier = scope && (await ledger!.earlierOutcome(scope).catch(() => undefined));
      if (earlier) {
        outcome = 'idempotent_replay';
        return earlier;
      }
      if (!(err instanceof DomainError)) logger.error(err instanceof Error ? err : String(err));
      const error = asDomainError(err);
      outcome = error.code;
      if (span) recordFailure(span, err, error.status < 500);
      return { error: error.toBody() };
    } finally {
      span?.end();
      const duration_ms = Math.round((performance.now() - started) * 10) / 10;
      const late_ms = ctx?.deadline_ms === undefined ? 0 : Date.now() - ctx.deadline_ms;
      const line = { msg: 'rpc handled', request_id: ctx?.request_id, ...(span ? spanIds(span) : traceparentIds(traceparent)), pattern, outcome, duration_ms };
      // Done after the caller gave up (it answered 504): said at `warn`, with how long the handler took,
      // so a timeout seen by a client can be told apart from a request that arrived late (skipped above).
      if (late_ms > 0) logger.warn({ ...line, msg: 'rpc handled after its deadline', late_ms });
      else logger.debug(line);
    }
  };
  const logContext = {
    request_id: ctx?.request_id,
    trace_id: traceparent ?? ctx?.trace_id,
    tenant_id: ctx?.tenant_id,
    principal: ctx?.principal,
    client: ctx?.client,
  };
  const run = () => runWithContext(logContext, () => runIdempotent(scope, handle));
  return traced ? withTraceContext(traced, run) : run();
}

/** The handler's value, or its error thrown again (whichever form the handler used). */
async function settle(result: unknown): Promise<unknown> {
  const value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : await result;
  if (value instanceof HandlerOutcome) {
    if (value.failed) throw value.value;
    return value.value;
  }
  return value;
}
