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
 */
import { ClientKafka, KafkaHeaders, type KafkaOptions, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { ConsumerGroupJoinEvent, Kafka, Message } from 'kafkajs';
import { KafkaHeaderNames, replyTopicOf, requestTopic, serviceOfPattern } from '@sigil/contracts';
import { OffsetCommitter } from './offset-committer';
import { withBatchingProducers, type ProduceBatchingOptions } from './produce-batcher';

/** How often a caller commits the offsets of the replies it has read. */
export const REPLY_COMMIT_INTERVAL_MS = 500;

export class ServiceTopicsClientKafka extends ClientKafka {
  private readonly replyTopic: string;
  /** Every partition of the reply topic this replica consumes, as a header value. */
  private replyPartitions = '';
  private committer: OffsetCommitter | undefined;

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
        await respond(payload);
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
