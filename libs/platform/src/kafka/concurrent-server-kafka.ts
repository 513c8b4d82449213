/**
 * Nest's Kafka server on Sigil's topics, serving requests of one partition
 * concurrently.
 *
 * Topics: Nest subscribes a server to one topic per message pattern; this one
 * subscribes to its service's single request topic and reads each request's
 * pattern from a header (`ServiceTopicsClientKafka` puts it there). A fetch
 * then covers a few partitions instead of one per pattern — fetching ~100
 * mostly empty partitions per round trip was most of the CPU the Kafka path
 * spent per request.
 *
 * `ServerKafka` awaits each message's handler before kafkajs hands it the
 * next message of that partition, so a replica serves at most `partitions`
 * requests at a time and its throughput is `partitions / handler latency`
 * (≈ 600 req/s here, with the CPU mostly idle). Requests carry no key and
 * need no order (each has its own reply), so this server starts a handler
 * and takes the next message at once, up to `maxInFlight` handlers per
 * replica; beyond that it stops fetching until one finishes (backpressure).
 *
 * Each request is served by `serveRpc` straight from here: its pattern is a
 * header, its handler a map lookup (the `@HandleRpc` method itself, called
 * without Nest's RPC proxy: rpc-dispatch.ts), its value decoded once, its reply one
 * message handed to the produce batcher (Nest's wire format, without
 * `sendMessage`'s serializer promise and hooks). Nest's own
 * path (parser, deserializer, route parsing of the pattern, rxjs subjects,
 * interceptors) cost more CPU per request than the handler of a read did
 * (docs/performance.md). Messages that are not requests (no reply topic) still
 * take Nest's path.
 *
 * Offsets are committed by an eager OffsetCommitter, not by kafkajs after
 * each partition's batch: kafkajs waited for that commit before it fetched
 * again, a round trip added to every request that arrived meanwhile, and sent
 * one commit per partition fetched. Now one commit is in flight at a time and
 * the next takes everything handled meanwhile. A request whose handler is
 * marked `readOnly` is committed lazily (with the next write's commit, or
 * within the committer's interval); lazy offsets still pending when the
 * consumer rejoins its group are dropped, so they never move a partition
 * back behind another member's commits.
 *
 * What changes on a crash: offsets of requests still in flight may already be
 * committed, so they are not redelivered. Their callers get 504 after their
 * deadline, which a redelivery could not have avoided either (a restarted
 * service skips requests whose deadline passed), and a retry with the same
 * `Idempotency-Key` is answered by the service's ledger. On a graceful stop
 * the server stops fetching and lets in-flight handlers reply first.
 */
import { Logger } from '@nestjs/common';
import { KafkaHeaders, ServerKafka, type KafkaOptions } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import type { Consumer, EachMessagePayload, Kafka, Message, RecordMetadata } from 'kafkajs';
import { KafkaHeaderNames, requestTopic, type RpcReply, type RpcRequest } from '@sigil/contracts';
import { OffsetCommitter } from './offset-committer';
import type { IdempotencyLedger, LedgerAware } from '../idempotency/idempotency-ledger';
import { superviseConsumer, unwatchConsumer } from './consumer-health';
import { decodeValue, headerText } from './headers';
import { produceBatcherOf, withBatchingProducers, type ProduceBatchingOptions } from './produce-batcher';
import { rawReplyMessage } from './raw-reply';
import type { ReplyMessage } from './reachable-leader-partitioner';
import type { DirectRpcAware, DirectRpcHandler } from './rpc-dispatch';
import { serveRpc } from './rpc-serve';

const DRAIN_TIMEOUT_MS = 10_000;
/** Nest's "disposed" header value (the reply is the last of its call): one byte, shared by every reply. */
const DISPOSED = Buffer.alloc(1);
/** Separates the named reply partition from the caller's others on their way to assignReplyPartition. */
const ALTERNATIVES = ';';

export class ConcurrentServerKafka extends ServerKafka implements LedgerAware, DirectRpcAware {
  private readonly log = new Logger('ConcurrentServerKafka');
  private ledger?: IdempotencyLedger;
  /** `@HandleRpc` methods called directly, by pattern (rpc-dispatch.ts); other patterns go through Nest's handler. */
  private direct = new Map<string, DirectRpcHandler>();
  /** Patterns whose handler writes nothing: their offsets are committed lazily. */
  private readOnly: ReadonlySet<string> = new Set();
  private unbindJoin: (() => void) | undefined;
  private inFlight = 0;
  private committer: OffsetCommitter | undefined;
  private readonly waiting: Array<() => void> = [];
  private readonly idle: Array<() => void> = [];

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly service: string,
    private readonly maxInFlight: number,
    private readonly batching: ProduceBatchingOptions,
  ) {
    super(options);
  }

  /** Replies produced within a tick go out in one produce request. */
  override createClient<T = Kafka>(): T {
    return withBatchingProducers(super.createClient<Kafka>(), this.batching) as T;
  }

  override async start(callback: () => void): Promise<void> {
    await super.start(callback);
    const consumer = this.consumer!;
    superviseConsumer(this.consumerName, consumer, async () => {
      await consumer.connect();
      await this.bindEvents(consumer);
    });
  }

  private get consumerName(): string {
    return `${this.service}.rpc-server`;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics: [requestTopic(this.service)] });
    const committer = OffsetCommitter.eager(consumer, (err) => this.log.warn(`request offsets not committed (a rebalance took the partition): ${String(err)}`));
    await this.committer?.stop();
    this.committer = committer;
    committer.start();
    this.unbindJoin?.();
    this.unbindJoin = consumer.on(consumer.events.GROUP_JOIN, () => committer.forgetLazy());
    await consumer.run({
      ...(this.options.run ?? {}),
      autoCommit: false,
      eachMessage: async (payload) => {
        const pattern = await this.dispatch(payload);
        committer.handled(payload.topic, payload.partition, payload.message.offset, pattern !== undefined && this.readOnly.has(pattern));
      },
    });
  }

  /** The service's idempotency ledger binds itself here (see IdempotencyLedger.onModuleInit). */
  useIdempotencyLedger(ledger: IdempotencyLedger): void {
    this.ledger = ledger;
  }

  /** The app's `@HandleRpc` methods, served without Nest's RPC proxy (RpcDispatch binds them here). */
  useDirectHandlers(table: Map<string, DirectRpcHandler>, readOnly: ReadonlySet<string>): void {
    this.direct = table;
    this.readOnly = readOnly;
  }

  /** How many handlers are running now (metrics, tests). */
  get handlersInFlight(): number {
    return this.inFlight;
  }

  override getMessageHandler(): (payload: EachMessagePayload) => Promise<void> {
    return async (payload) => {
      await this.dispatch(payload);
    };
  }

  /** Starts the message's handler once a slot is free (without waiting for it); returns its pattern. */
  private async dispatch(payload: EachMessagePayload): Promise<string | undefined> {
    const pattern = headerText(payload.message.headers, KafkaHeaderNames.rpcPattern);
    if (!pattern) {
      this.log.warn(`skipping a message without a pattern at ${payload.topic}/${payload.partition}@${payload.message.offset}`);
      return undefined;
    }
    while (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    // Nest routes by the message's topic: give it the pattern.
    void this.handleMessage({ ...payload, topic: pattern })
      .catch((err: unknown) => this.log.error(err instanceof Error ? err : String(err)))
      .finally(() => this.release());
    return pattern;
  }

  /** A request: served and replied here. Anything else: Nest's path. */
  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const pattern = payload.topic;
    const headers = payload.message.headers ?? {};
    const correlationId = headerText(headers, KafkaHeaders.CORRELATION_ID);
    const replyTopic = headerText(headers, KafkaHeaders.REPLY_TOPIC);
    const handler = this.messageHandlers.get(pattern);
    if (!correlationId || !replyTopic || handler?.isEventHandler) return super.handleMessage(payload);
    // The caller's other reply partitions ride along to assignReplyPartition (see there).
    const alternatives = headerText(headers, KafkaHeaderNames.replyPartitions);
    const named = headerText(headers, KafkaHeaders.REPLY_PARTITION);
    const replyPartition = named !== undefined && alternatives ? `${named}${ALTERNATIVES}${alternatives}` : named;
    if (!handler) {
      await this.sendMessage({ id: correlationId, err: NO_MESSAGE_HANDLER, isDisposed: true }, replyTopic, replyPartition, correlationId, undefined as never);
      return;
    }
    const value = payload.message.value;
    const request = (value ? decodeValue(value) : undefined) as RpcRequest | undefined;
    // The ledger stores an idempotent write's reply while the reply travels; the request is done when both are.
    let stored: Promise<void> | undefined;
    const reply = await serveRpc({
      pattern,
      request,
      headers,
      ledger: this.ledger,
      handler: this.direct.get(pattern) ?? ((req) => handler(req)),
      ledgerCompletion: (p) => (stored = p),
    });
    await Promise.all([this.reply(reply, replyTopic, replyPartition, correlationId), stored]);
  }

  /**
   * Sends a reply as Nest's `sendMessage` does (the JSON value, the correlation id and "disposed"
   * headers, the reply partition), without its serializer's promise and hooks; a reply Kafka
   * would not take is logged, as there.
   */
  private reply(reply: RpcReply, replyTopic: string, replyPartition: string | undefined, correlationId: string): Promise<unknown> {
    const headers = { [KafkaHeaders.CORRELATION_ID]: correlationId, [KafkaHeaders.NEST_IS_DISPOSED]: DISPOSED };
    // A handler's `rawReply` goes as its bytes (raw-reply.ts); every other reply as JSON.
    const message: Message = rawReplyMessage(reply, headers) ?? { value: JSON.stringify(reply), headers };
    this.assignReplyPartition(replyPartition, message);
    const producer = this.producer!;
    const batcher = produceBatcherOf(producer);
    const sent = batcher
      ? batcher.send({ topic: replyTopic, messages: [message] })
      : producer.send({ topic: replyTopic, messages: [message], ...(this.options.send ?? {}) });
    return sent.catch((err: unknown) => this.log.warn(`reply ${correlationId} to ${replyTopic} not sent: ${err instanceof Error ? err.message : String(err)}`));
  }

  /**
   * The reply's partition, and the caller's other reply partitions beside it for the
   * partitioner (reachable-leader-partitioner.ts), which uses another of them when the
   * named one's leader is unreachable. They travel as "named;all" from handleMessage
   * because Nest's sendMessage hands only this string on.
   */
  override assignReplyPartition(replyPartition: string | null | undefined, outgoingMessage: Message): void {
    const [named, alternatives] = (replyPartition ?? '').split(ALTERNATIVES);
    super.assignReplyPartition(replyPartition == null ? replyPartition : named, outgoingMessage);
    if (alternatives) {
      (outgoingMessage as Message & ReplyMessage).replyPartitions = alternatives
        .split(',')
        .map(Number)
        .filter((p) => Number.isInteger(p) && p >= 0);
    }
  }

  /**
   * Nest publishes a reply without awaiting the promise: when Kafka stays away longer than
   * the producer's retries, the rejection went unhandled and ended the process (a contacts
   * replica died this way when a broker restart took 40 s). The caller times out instead.
   */
  override async sendMessage(...args: Parameters<ServerKafka['sendMessage']>): Promise<RecordMetadata[]> {
    return super.sendMessage(...args).catch((err: unknown) => {
      this.log.warn(`reply ${args[3]} to ${args[1]} not sent: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    });
  }

  override async close(): Promise<void> {
    // Stop fetching first, then let the handlers still running send their replies.
    unwatchConsumer(this.consumerName);
    this.unbindJoin?.();
    const consumer = this.consumer;
    if (consumer) await consumer.stop().catch(() => undefined);
    await this.committer?.stop();
    if (this.inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref())]);
    }
    await super.close();
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}
