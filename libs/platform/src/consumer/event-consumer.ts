/**
 * Consumes domain-event topics in one consumer group per service (replicas
 * share partitions). A message's offset is committed only after its handler
 * resolved, so delivery is at least once; handlers make it exactly-once in
 * effect with `processOnce` (or `processNewEvents` for a batch). Offsets are
 * committed every half second (OffsetCommitter), not after every fetched
 * batch, and at once when the consumer stops. A handler keeps the group
 * membership however long it runs (keep-alive.ts: heartbeats meanwhile). A failing
 * handler is retried with backoff rather than skipped: an event is never
 * dropped.
 *
 * Two ways to handle: one event at a time (`new EventConsumer(settings,
 * handler)`), or the events of a fetched batch at once
 * (`EventConsumer.batched(settings, handler)`, up to `maxBatch` per call, in
 * partition order) so that a consumer pays one transaction, one upsert and one
 * evaluation per batch instead of per event: under load, per-event
 * transactions were most of what an event cost its consumers.
 */
import { Logger } from '@nestjs/common';
import { Kafka, type Consumer, type KafkaMessage } from 'kafkajs';
import { KafkaHeaderNames, serviceGroupId, type DomainEvent } from '@sigil/contracts';
import { superviseConsumer, unwatchConsumer } from '../kafka/consumer-health';
import { headerText } from '../kafka/headers';
import { consumerDefaults, kafkaClientConfig, type KafkaSettings } from '../kafka/kafka.config';
import { runWithContext } from '../logging/request-context';
import { OffsetCommitter } from '../kafka/offset-committer';
import { whileHeartbeating } from './keep-alive';
import { Metrics, withoutNamespace } from '../metrics/metrics';
import { trace } from '@opentelemetry/api';
import { extractTraceContext, recordFailure, SpanKind, startSpan, withTraceContext } from '../tracing/trace-context';

export type EventHandler = (event: DomainEvent, meta: { topic: string; partition: number; offset: string }) => Promise<void>;
/** Events of one partition, in offset order. */
export type EventBatchHandler = (events: DomainEvent[]) => Promise<void>;

/** Largest slice of a fetched batch handed to a batch handler at once (bounds a transaction's size). */
const DEFAULT_MAX_BATCH = 250;

export interface EventConsumerSettings {
  kafka: KafkaSettings;
  /** Consumer group name within the namespace, e.g. `webhooks.fanout`. */
  group: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Batch handlers: most events per call (default 250). */
  maxBatch?: number;
  /**
   * Event types this consumer has no use for: a message whose `event-type` header names one is
   * passed over unparsed (no JSON parse, no span), its offset committed like any other.
   */
  ignoreTypes?: ReadonlySet<string>;
  /**
   * Run the handler inside the event's span and log context (AsyncLocalStorage), as by default. A
   * consumer of a process that enters no such context otherwise (the gateway when it records no
   * spans: http-tracing.ts) passes false, since the first context entered turns on a promise hook
   * for every promise of the process for good; its handler then names the event in its own log lines.
   */
  ambientContext?: boolean;
}

export class EventConsumer {
  private readonly logger: Logger;
  private consumer: Consumer | undefined;
  private committer: OffsetCommitter | undefined;
  private stopping = false;

  private batchHandler: EventBatchHandler | undefined;

  constructor(
    private readonly settings: EventConsumerSettings,
    private readonly handler: EventHandler,
  ) {
    this.logger = new Logger(`EventConsumer:${settings.group}`);
  }

  /** A consumer whose handler takes the events of a fetched batch at once. */
  static batched(settings: EventConsumerSettings, handler: EventBatchHandler): EventConsumer {
    const consumer = new EventConsumer(settings, (event) => handler([event]));
    consumer.batchHandler = handler;
    return consumer;
  }

  async start(): Promise<void> {
    const kafka = new Kafka(kafkaClientConfig({ ...this.settings.kafka, clientId: `${this.settings.kafka.clientId}-${this.settings.group}` }));
    const defaults = consumerDefaults(serviceGroupId(this.settings.group));
    this.consumer = kafka.consumer({
      ...defaults,
      // The shared backoff (at most 1 s apart, kafka.config.ts), without end.
      retry: { ...defaults.retry, retries: Number.MAX_SAFE_INTEGER, restartOnFailure: async () => !this.stopping },
    });
    const consumer = this.consumer;
    this.committer = OffsetCommitter.for(consumer, undefined, (err) => this.logger.warn(`offset commit dropped (the inbox absorbs the repeats): ${String(err)}`));
    this.committer.start();
    superviseConsumer(this.settings.group, consumer, async () => {
      await consumer.connect();
      await this.subscribeAndRun(consumer);
    });
    const metrics = Metrics.forProcess();
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      metrics.consumerLag.set({ group: this.settings.group, topic: withoutNamespace(payload.topic), partition: String(payload.partition) }, Number(payload.offsetLag)),
    );
    await this.consumer.connect();
    await this.subscribeAndRun(this.consumer);
  }

  private async subscribeAndRun(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: this.settings.topics, fromBeginning: this.settings.fromBeginning ?? true });
    if (this.batchHandler) return this.runBatched(consumer, this.batchHandler);
    await consumer.run({
      partitionsConsumedConcurrently: this.settings.kafka.partitions,
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const event = this.ignored(message) ? undefined : this.parse(topic, partition, message);
        if (event) {
          const run = () => this.handler(event, { topic, partition, offset: message.offset });
          await whileHeartbeating(heartbeat, () => this.handle([event], [message], topic, run));
        }
        await this.handled(topic, partition, message.offset);
      },
    });
  }

  private async runBatched(consumer: Consumer, handler: EventBatchHandler): Promise<void> {
    const maxBatch = this.settings.maxBatch ?? DEFAULT_MAX_BATCH;
    await consumer.run({
      partitionsConsumedConcurrently: this.settings.kafka.partitions,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { topic, partition } = batch;
        for (let from = 0; from < batch.messages.length; from += maxBatch) {
          if (!isRunning() || isStale()) return;
          const slice = batch.messages.slice(from, from + maxBatch);
          const events: DomainEvent[] = [];
          const messages: KafkaMessage[] = [];
          for (const message of slice) {
            if (this.ignored(message)) continue;
            const event = this.parse(topic, partition, message);
            if (!event) continue;
            events.push(event);
            messages.push(message);
          }
          if (events.length) await whileHeartbeating(heartbeat, () => this.handle(events, messages, topic, () => handler(events)));
          resolveOffset(slice[slice.length - 1]!.offset);
          await this.handled(topic, partition, slice[slice.length - 1]!.offset);
          await heartbeat();
        }
      },
    });
  }

  /** Records a handled offset for the next commit; while stopping, commits at once (before the group is left). */
  private async handled(topic: string, partition: number, offset: string): Promise<void> {
    this.committer?.handled(topic, partition, offset);
    if (this.stopping) await this.committer?.flush();
  }

  /** Whether the message's `event-type` header names a type this consumer ignores. */
  private ignored(message: KafkaMessage): boolean {
    const ignore = this.settings.ignoreTypes;
    if (!ignore?.size) return false;
    const type = headerText(message.headers, KafkaHeaderNames.eventType);
    return type !== undefined && ignore.has(type);
  }

  /** The event a message carries; an empty or unparseable one is skipped (logged), never retried. */
  private parse(topic: string, partition: number, message: KafkaMessage): DomainEvent | undefined {
    if (!message.value) return undefined;
    try {
      return JSON.parse(message.value.toString()) as DomainEvent;
    } catch {
      this.logger.error(`skipping unparseable message at ${topic}/${partition}@${message.offset}`);
      return undefined;
    }
  }

  /**
   * Runs the handler for these events (one, or a batch) inside a span and the
   * events' log context, retrying with backoff until it succeeds, or until the
   * consumer stops (then it throws, leaving the offsets uncommitted: another
   * replica takes over).
   */
  private async handle(events: DomainEvent[], messages: KafkaMessage[], topic: string, run: () => Promise<void>): Promise<void> {
    const metrics = Metrics.forProcess();
    // One event continues its writer's trace as a child (one trace id per client request); a
    // batch has many parents: one span, linked to each writing span.
    const single = events.length === 1 ? events[0]! : undefined;
    const first = messages[0]!;
    const { span, ctx: traced } = startSpan(`${withoutNamespace(topic)} process`, {
      kind: SpanKind.CONSUMER,
      ...(single
        ? { parent: extractTraceContext(first.headers) }
        : {
            links: messages.flatMap((m) => {
              const writer = trace.getSpanContext(extractTraceContext(m.headers));
              return writer ? [{ context: writer }] : [];
            }),
          }),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': this.settings.group,
        ...(single
          ? { 'messaging.kafka.offset': Number(first.offset), 'sigil.event_id': single.id, 'sigil.event_type': single.type }
          : { 'messaging.batch.message_count': events.length }),
      },
    });
    const logContext = single ? { event_id: single.id, tenant_id: single.tenant_id, request_id: headerText(first.headers, KafkaHeaderNames.requestId) } : {};
    const type = single ? single.type : 'batch';
    const attempts = async (): Promise<void> => {
      const observed = metrics.eventHandlerDuration.startTimer({ group: this.settings.group, type });
      for (let attempt = 1; ; attempt++) {
        try {
          await run();
          span.end();
          observed();
          for (const event of events) metrics.eventsConsumed.inc({ group: this.settings.group, type: event.type, outcome: 'processed' });
          return;
        } catch (err) {
          metrics.eventsConsumed.inc({ group: this.settings.group, type, outcome: 'failed_attempt' });
          span.addEvent('handler failed', { attempt, error: String(err) });
          if (this.stopping) {
            recordFailure(span, err);
            span.end();
            throw err; // leave the offset uncommitted; another replica takes over
          }
          const delay = Math.min(100 * 2 ** attempt, 10000);
          const what = single ? `${single.type} ${single.id}` : `${events.length} events from ${events[0]!.id}`;
          this.logger.error(`handler failed for ${what} (attempt ${attempt}), retrying in ${delay} ms: ${String(err)}`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    };
    if (this.settings.ambientContext === false) await attempts();
    else await withTraceContext(traced, () => runWithContext(logContext, attempts));
  }

  /** Waits for in-flight handlers, commits, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    unwatchConsumer(this.settings.group);
    await this.committer?.stop();
    await this.consumer?.disconnect();
  }
}
