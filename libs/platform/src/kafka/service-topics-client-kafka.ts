/**
 * Nest's Kafka client on Sigil's topics: a request goes to its service's one
 * request topic (`requestTopic(service)`) with the pattern in a header, and
 * every reply comes back on this caller's one reply topic
 * (`replyTopicOf(caller)`), whatever the pattern. Nest's own client uses a
 * request and a reply topic per pattern, so the gateway's reply consumer
 * fetched hundreds of mostly empty partitions on every round trip.
 *
 * Replicas of a caller share the reply topic's consumer group: each is
 * assigned some partitions and names the lowest as its reply partition (the
 * partition assigner of Nest's client makes sure each gets one). It also
 * lists all of them (`sigil-reply-partitions`), so a service can reply on
 * another when the named one's leader is unreachable
 * (reachable-leader-partitioner.ts).
 *
 * Reply offsets are committed every half second (OffsetCommitter), not by
 * kafkajs after each partition's batch, which made the fetch loop wait a
 * commit round trip before it fetched the next replies, nor eagerly: a reply
 * read again after a restart or a rebalance finds no caller waiting for its
 * correlation id and is dropped, so a late commit costs nothing, while an
 * eager one was a Kafka request (a socket write, a wake-up of the broker and
 * an append to `__consumer_offsets`) per reply when requests come one at a
 * time — in the gateway's CPU profile, kafkajs' socket writes were 17 % of
 * its busy time (docs/performance.md, session 9).
 *
 * `request()` is the lean request/reply path the gateway's RpcClient uses:
 * the same message on the same topics as Nest's `send` (value, correlation id,
 * reply topic and partition, pattern and reply partitions headers), with the
 * waiting call kept in a Map by correlation id and settled straight from the
 * reply consumer. Nest's `send` built an rxjs pipeline per call (a deferred
 * connect, an Observable, the serializer's promise chain, a parsed copy of
 * every reply and its headers) and the caller converted it back to a promise
 * with a timeout operator: about a dozen promises and as many closures per
 * call. Replies for calls made through Nest's `send` still take Nest's path.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ClientKafka, KafkaHeaders, type KafkaOptions, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { ConsumerGroupJoinEvent, IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import { KafkaHeaderNames, replyTopicOf, requestTopic, serviceOfPattern } from '@sigil/contracts';
import { decodeValue, headerText } from './headers';
import { OffsetCommitter } from './offset-committer';
import { produceBatcherOf, withBatchingProducers, type ProduceBatchingOptions } from './produce-batcher';
import { decodeRawReply } from './raw-reply';

/** A `request()` that got no reply within its timeout. */
export class ReplyTimeout extends Error {
  constructor(readonly pattern: string) {
    super(`no reply to ${pattern} in time`);
    this.name = 'ReplyTimeout';
  }
}

/** A call of `request()` waiting for its reply. */
class Waiting {
  timer: NodeJS.Timeout | undefined;
  constructor(
    readonly pattern: string,
    readonly resolve: (reply: unknown) => void,
    readonly reject: (err: unknown) => void,
  ) {}
}

/** The Nest server sends a domain-less failure (no handler for the pattern) in this header, JSON or text. */
const NEST_ERR = KafkaHeaders.NEST_ERR;

/** How often a caller commits the offsets of the replies it has read. */
export const REPLY_COMMIT_INTERVAL_MS = 500;

/**
 * Calls that timed out are remembered this long (and at most this many), so that a reply arriving
 * after its caller gave up is logged with how late it was and when it was produced: it tells a
 * stalled reply path (produced in time, read late) from a request that reached its service late or
 * was answered late (produced late; the service logs those), which a 504 alone cannot.
 */
export const LATE_REPLY_MEMORY_MS = 60_000;
export const LATE_REPLY_MEMORY_MAX = 10_000;

const logger = new Logger('KafkaRpc');

export class ServiceTopicsClientKafka extends ClientKafka {
  private readonly replyTopic: string;
  /** Every partition of the reply topic this replica consumes, as a header value. */
  private replyPartitions = '';
  private committer: OffsetCommitter | undefined;
  /** Calls of `request()` waiting for their reply, by correlation id. */
  private readonly waiting = new Map<string, Waiting>();
  /** Correlation ids: a random prefix per client (replicas share the reply topic) and a counter. */
  private readonly idPrefix = randomBytes(9).toString('base64url');
  private sequence = 0;
  /** Calls that timed out, by correlation id: their pattern and when they gave up (oldest first). */
  private readonly expired = new Map<string, { pattern: string; at: number }>();
  private readonly expire = (id: string): void => {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    this.rememberExpired(id, waiting.pattern);
    waiting.reject(new ReplyTimeout(waiting.pattern));
  };
  private readonly produceFailed = (err: unknown, id: string): void => {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    waiting.reject(err);
  };

  constructor(
    options: Required<KafkaOptions>['options'],
    caller: string,
    private readonly batching: ProduceBatchingOptions,
  ) {
    super(options);
    this.replyTopic = replyTopicOf(caller);
    this.responsePatterns.push(this.replyTopic);
  }

  override async bindTopics(): Promise<void> {
    const consumer = this._consumer;
    if (!consumer) throw new Error('No consumer initialized');
    await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics: this.responsePatterns });
    // A reply read again after a rebalance finds no caller waiting and is dropped, so a late or lost commit costs nothing.
    void this.committer?.stop();
    const committer = OffsetCommitter.for(consumer, REPLY_COMMIT_INTERVAL_MS);
    committer.start();
    this.committer = committer;
    const respond = this.createResponseCallback();
    await consumer.run({
      ...(this.options.run ?? {}),
      autoCommit: false,
      eachMessage: async (payload) => {
        if (!this.settle(payload.message, payload.partition)) await respond(payload);
        committer.handled(payload.topic, payload.partition, payload.message.offset);
      },
    });
  }

  override async close(): Promise<void> {
    await this.committer?.stop();
    await super.close();
  }

  /** Requests produced within a tick go out in one produce request. */
  override createClient<T = Kafka>(): T {
    return withBatchingProducers(super.createClient<Kafka>(), this.batching) as T;
  }

  protected override setConsumerAssignments(data: ConsumerGroupJoinEvent): void {
    super.setConsumerAssignments(data);
    this.replyPartitions = [...(data.payload.memberAssignment[this.replyTopic] ?? [])].sort((a, b) => a - b).join(',');
  }

  protected override getResponsePatternName(): string {
    return this.replyTopic;
  }

  /** Calls of `request()` waiting for a reply (tests, metrics). */
  get waitingReplies(): number {
    return this.waiting.size;
  }

  /**
   * Sends one request (`value`: the serialized request; `headers`: the
   * caller's, completed here) to the pattern's service and resolves with the
   * reply's decoded value, as Nest's `send` did. Rejects with a `ReplyTimeout`
   * after `timeoutMs`, with the server's error for a failure it sent (no
   * handler for the pattern), or with the produce error.
   */
  request(pattern: string, value: string, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
    const producer = this._producer;
    // Not connected yet (or again): Nest's `send` waited for the connection too.
    if (!producer) return this.connect().then(() => this.request(pattern, value, headers, timeoutMs));
    const id = this.idPrefix + (++this.sequence).toString(36);
    try {
      headers[KafkaHeaders.CORRELATION_ID] = id;
      headers[KafkaHeaders.REPLY_TOPIC] = this.replyTopic;
      headers[KafkaHeaders.REPLY_PARTITION] = this.getReplyTopicPartition(this.replyTopic);
      headers[KafkaHeaderNames.rpcPattern] = pattern;
      if (this.replyPartitions) headers[KafkaHeaderNames.replyPartitions] = this.replyPartitions;
    } catch (err) {
      // No reply partition yet (the consumer has not joined its group): as Nest's `send`, a failed call.
      return Promise.reject(err);
    }
    let waiting!: Waiting;
    const reply = new Promise<unknown>((resolve, reject) => (waiting = new Waiting(pattern, resolve, reject)));
    waiting.timer = setTimeout(this.expire, timeoutMs, id);
    this.waiting.set(id, waiting);
    const topic = requestTopic(serviceOfPattern(pattern));
    const messages: Message[] = [{ value, headers }];
    const batcher = produceBatcherOf(producer);
    if (batcher) batcher.post(topic, messages, this.produceFailed, id);
    else producer.send({ topic, messages }).catch((err: unknown) => this.produceFailed(err, id));
    return reply;
  }

  private rememberExpired(id: string, pattern: string): void {
    const now = Date.now();
    for (const [oldest, call] of this.expired) {
      if (this.expired.size < LATE_REPLY_MEMORY_MAX && now - call.at < LATE_REPLY_MEMORY_MS) break;
      this.expired.delete(oldest);
    }
    this.expired.set(id, { pattern, at: now });
  }

  /** A reply to a call that timed out: said at `warn`, once, with how late it came and when it was produced. */
  private lateReply(id: string, message: KafkaMessage, partition: number): boolean {
    const call = this.expired.get(id);
    if (!call) return false;
    this.expired.delete(id);
    const now = Date.now();
    const produced = Number(message.timestamp);
    logger.warn({
      msg: 'reply arrived after its caller gave up',
      pattern: call.pattern,
      partition,
      late_ms: now - call.at,
      // Negative: the service had replied before the caller gave up, and the reply waited in Kafka.
      ...(Number.isFinite(produced) ? { produced_ms_after_timeout: produced - call.at } : {}),
    });
    return true;
  }

  /** Settles the `request()` a reply answers; false when no such call waits here (a late reply, or one for Nest's `send`). */
  private settle(message: KafkaMessage, partition: number): boolean {
    if (this.waiting.size === 0 && this.expired.size === 0) return false;
    const id = headerText(message.headers, KafkaHeaders.CORRELATION_ID);
    if (id === undefined) return false;
    const waiting = this.waiting.get(id);
    if (!waiting) return this.lateReply(id, message, partition);
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    const err = firstHeader(message.headers, NEST_ERR);
    // Decoded as Nest's parser does (JSON when it looks like JSON, else text), so callers see what Nest's `send` gave.
    if (err !== undefined) waiting.reject(decodeValue(err));
    // A raw reply (raw-reply.ts) carries its bytes as the value: handed over as they are, not decoded.
    else waiting.resolve(decodeRawReply(message) ?? decodeValue(message.value));
    return true;
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => unknown): () => void {
    const packet = this.assignPacketId(partialPacket);
    this.routingMap.set(packet.id, callback);
    const cleanup = () => this.routingMap.delete(packet.id);
    const fail = (err: unknown) => {
      cleanup();
      callback({ err });
    };
    try {
      const pattern = this.normalizePattern(partialPacket.pattern);
      const replyPartition = this.getReplyTopicPartition(this.replyTopic);
      Promise.resolve(this.serializer.serialize(packet.data, { pattern }))
        .then((serialized: Message & { headers: Record<string, string> }) => {
          serialized.headers[KafkaHeaders.CORRELATION_ID] = packet.id;
          serialized.headers[KafkaHeaders.REPLY_TOPIC] = this.replyTopic;
          serialized.headers[KafkaHeaders.REPLY_PARTITION] = replyPartition;
          serialized.headers[KafkaHeaderNames.rpcPattern] = pattern;
          if (this.replyPartitions) serialized.headers[KafkaHeaderNames.replyPartitions] = this.replyPartitions;
          return this.producer.send({ topic: requestTopic(serviceOfPattern(pattern)), messages: [serialized], ...(this.options.send ?? {}) });
        })
        .catch(fail);
      return cleanup;
    } catch (err) {
      fail(err);
      return () => undefined;
    }
  }
}

function firstHeader(headers: IHeaders | undefined, name: string): Buffer | string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}
