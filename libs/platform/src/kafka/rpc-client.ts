/**
 * Request/reply over Kafka for the gateway: sends a pattern with the request
 * context, waits for the reply with a timeout, and turns failed replies back
 * into DomainErrors (timeouts into 504 `upstream_timeout`).
 *
 * A call goes through `ServiceTopicsClientKafka.request` (one promise, the
 * reply matched by correlation id in a Map), not Nest's Observable `send`.
 * A client span is built only when spans are recorded (`spansRecorded()`);
 * otherwise the caller's trace (the active span, else the request's
 * `traceparent` in `ctx.trace_id`) is passed on as it is.
 */
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ALL_RPC_TOPICS,
  isRpcFailure,
  KafkaHeaderNames,
  replyTopicOf,
  serviceOfPattern,
  type PageMeta,
  type RequestContext,
  type RpcDefinition,
  type RpcReply,
  type RpcReplyOf,
  type RpcRequestOf,
} from '@sigil/contracts';
import { DomainError, UpstreamTimeout } from '../errors/domain-errors';
import { Metrics } from '../metrics/metrics';
import { activeTraceContextOr, injectTraceHeaders, injectTraceparentOr, recordFailure, SpanKind, startSpan, type Span } from '../tracing/trace-context';
import { spansRecorded } from '../tracing/tracing';
import { superviseConsumer, unwatchConsumer } from './consumer-health';
import { kafkaRpcClientOptions, rpcProduceBatching, type KafkaSettings } from './kafka.config';
import { ReplyTimeout, ServiceTopicsClientKafka } from './service-topics-client-kafka';
import { ensureTopics } from './topic-admin';

export interface RpcResult<R> {
  data: R;
  page?: PageMeta;
}

export const RPC_SETTINGS = Symbol('RPC_SETTINGS');

export interface RpcClientSettings extends KafkaSettings {
  /** The calling service: replies come back on its reply topic (`replyTopicOf(service)`). */
  service: string;
  timeoutMs: number;
  /** Consumer group of the reply topic (default: the service's); a one-off client takes its own. */
  replyGroup?: string;
}

@Injectable()
export class RpcClient implements OnModuleInit, OnApplicationShutdown {
  private readonly client: ServiceTopicsClientKafka;

  constructor(private readonly settings: RpcClientSettings) {
    this.client = new ServiceTopicsClientKafka(kafkaRpcClientOptions(settings.replyGroup ?? settings.service, settings), settings.service, rpcProduceBatching(settings));
  }

  async onModuleInit(): Promise<void> {
    // The contracts' callers' reply topics exist already (every process creates them at start).
    const replies = replyTopicOf(this.settings.service);
    if (!ALL_RPC_TOPICS.includes(replies)) await ensureTopics(this.settings, [replies]);
    await this.client.connect();
    const consumer = this.client.consumer;
    superviseConsumer(this.consumerName, consumer, async () => {
      await consumer.connect();
      await this.client.bindTopics();
    });
  }

  private get consumerName(): string {
    return `${this.settings.replyGroup ?? this.settings.service}.replies-client`;
  }

  /** After the HTTP server has drained (not before): in-flight requests still need their replies. */
  async onApplicationShutdown(): Promise<void> {
    unwatchConsumer(this.consumerName);
    await this.client.close();
  }

  /** Sends a request of a definition (`defineRpc` in contracts): its request and reply types follow from it. */
  async call<D extends RpcDefinition>(def: D, ctx: RequestContext, payload: RpcRequestOf<D>, timeoutMs = this.settings.timeoutMs): Promise<RpcResult<RpcReplyOf<D>>> {
    type R = RpcReplyOf<D>;
    const pattern = def.pattern;
    const headers: Record<string, string> = { [KafkaHeaderNames.requestId]: ctx.request_id };
    let span: Span | undefined;
    if (spansRecorded()) {
      // A client span under the active one (the gateway's server span); its traceparent travels in the headers.
      const started = startSpan(pattern, {
        kind: SpanKind.CLIENT,
        parent: activeTraceContextOr(ctx.trace_id),
        attributes: { 'messaging.system': 'kafka', 'rpc.method': pattern },
      });
      span = started.span;
      injectTraceHeaders(headers, started.ctx);
    } else {
      injectTraceparentOr(headers, ctx.trace_id);
    }
    const observed = Metrics.forProcess().startRpc(pattern);
    let reply: RpcReply<R>;
    try {
      const request = JSON.stringify({ ctx: { ...ctx, deadline_ms: Date.now() + timeoutMs }, payload });
      reply = (await this.client.request(pattern, request, headers, timeoutMs)) as RpcReply<R>;
    } catch (err) {
      const timedOut = err instanceof ReplyTimeout;
      observed(timedOut ? 'timeout' : 'transport_error');
      if (span) {
        recordFailure(span, err);
        span.end();
      }
      if (timedOut) throw new UpstreamTimeout(serviceOfPattern(pattern));
      throw err;
    }
    observed(isRpcFailure(reply) ? 'domain_error' : 'ok');
    if (isRpcFailure(reply)) {
      const error = DomainError.fromBody(reply.error);
      if (span) {
        recordFailure(span, error, error.status < 500);
        span.end();
      }
      throw error;
    }
    span?.end();
    return reply;
  }
}
