/**
 * Stops kafkajs 2.2.4 producers from dropping messages when a partition's
 * leader moves during a send (kafkajs issue #1303, open upstream; found by the
 * three-broker chaos run of issue #22: 7 acknowledged writes never reached
 * Kafka although the outbox produced them with acks from all replicas).
 *
 * What kafkajs does: `sendMessages` sends one produce request per leader and
 * remembers which *brokers* answered. When one request fails (its broker was
 * killed), it refreshes the metadata and retries — but only towards brokers
 * that have not answered yet. A partition whose leadership moved to a broker
 * that already answered for its own partitions is therefore never sent again,
 * and the call still resolves as if everything was written. The outbox then
 * deletes rows whose events are nowhere; a request/reply message is silently
 * lost (its caller gets a 504).
 *
 * The replacement below is kafkajs' own function with one change: it tracks
 * which *partitions* are acknowledged, so a retry sends every partition not
 * yet acknowledged to its current leader, whichever broker that is. Messages
 * are assigned to partitions once, on the first attempt that has metadata;
 * a retry places again only the messages whose partition's leader cannot be
 * reached, and the partitioner keeps a keyed message where it was (see
 * `placeAgainAwayFromUnreachable`). A broker's request that fails as a
 * whole is sent again whole (at-least-once, as before: consumers are
 * idempotent).
 *
 * kafkajs captures `sendMessages` when its producer module loads, so this file
 * must load before anything requires `kafkajs` (it is the first import of
 * `@sigil/platform`); `assertKafkajsSendFix` (called when a service starts)
 * throws if kafkajs was loaded first and the fix is not in effect. The unit
 * test fails if the function it replaces changes shape.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

type Message = unknown;
type MessagesPerPartition = Record<string, Message[]>;
interface TopicMessages {
  topic: string;
  messages: Message[];
}
interface PartitionResponse {
  topicName: string;
  partition: number;
  [key: string]: unknown;
}
interface Broker {
  nodeId: number;
  brokerAddress?: string;
  produce(request: Record<string, unknown>): Promise<unknown>;
}
export interface SendMessagesDeps {
  logger: { debug(message: string, extra?: object): void; error(message: string, extra?: object): void };
  cluster: {
    refreshMetadataIfNecessary(): Promise<void>;
    refreshMetadata(): Promise<void>;
    findTopicPartitionMetadata(topic: string): { partitionId: number }[];
    findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
    findBroker(query: { nodeId: string | number }): Promise<Broker>;
    addMultipleTargetTopics(topics: string[]): Promise<void>;
    isConnected(): boolean;
    connect(): Promise<void>;
    removeBroker(query: { host: string; port: number }): void;
    targetTopics: Set<string>;
  };
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: Message }) => number;
  eosManager: {
    acquireBrokerLock(broker: Broker): Promise<void>;
    releaseBrokerLock(broker: Broker): Promise<void>;
    isTransactional(): boolean;
    addPartitionsToTransaction(topicData: unknown): Promise<void>;
    getSequence(topic: string, partition: number): number;
    updateSequence(topic: string, partition: number, increment: number): void;
    getTransactionalId(): string;
    getProducerId(): number;
    getProducerEpoch(): number;
  };
  retrier: <T>(fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;
}
export interface SendMessagesRequest {
  acks: number;
  timeout?: number;
  compression?: number;
  topicMessages: TopicMessages[];
}
export type CreateSendMessages = (deps: SendMessagesDeps) => (request: SendMessagesRequest) => Promise<PartitionResponse[]>;

import { anyUnreachable, brokerReturns, isReachable, noteReachable, noteUnreachable } from './broker-reachability';

const SEND_MESSAGES = require.resolve('kafkajs/src/producer/sendMessages');
const MESSAGE_PRODUCER = require.resolve('kafkajs/src/producer/messageProducer');
const { KafkaJSMetadataNotLoaded } = require('kafkajs/src/errors') as { KafkaJSMetadataNotLoaded: new (message: string) => Error };
const { staleMetadata } = require('kafkajs/src/protocol/error') as { staleMetadata: (e: unknown) => boolean };
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Message[];
  partitioner: SendMessagesDeps['partitioner'];
}) => MessagesPerPartition;
const responseSerializer = require('kafkajs/src/producer/responseSerializer') as (response: unknown) => PartitionResponse[];

/** While a broker is unreachable, a producer's metadata is refreshed this often (in the background). */
export const METADATA_REFRESH_WHILE_UNREACHABLE_MS = 1000;

/** Per producer (its cluster): the broker returns its metadata knows of, when it was last refreshed, a refresh under way. */
const metadataState = new WeakMap<object, { returns: number; at: number; refreshing?: Promise<void> }>();

/**
 * Keeps the partitioner's view of leaders current around a broker's absence. A producer refreshes its metadata
 * only after a failed send, and the reachable-leader partitioner sends nothing to a broker noted unreachable, so
 * nothing failed: the metadata kept naming the dead broker as the leader of the partitions it had led, long after
 * the controllers had moved them. When it accepted connections again, request and reply messages went back to
 * those partitions and its first answers were NOT_LEADER_FOR_PARTITION, each a refresh and a retry on the request
 * path (session 16's chaos run: 66 such errors in the gateway in the second after a killed broker's return, and 15
 * keyed writes sent then answered 504). So: after a broker's return, the next send waits for one refresh (shared
 * by the sends in flight; all brokers answer then); while one is unreachable, a refresh starts every second in the
 * background, so the moved partitions' new leaders are used. A refresh that fails leaves the metadata as it was:
 * a send then meets the old leader's error and retries, as without this.
 */
async function metadataAfterReturns(cluster: SendMessagesDeps['cluster'], logger: SendMessagesDeps['logger']): Promise<void> {
  const returns = brokerReturns();
  const state = metadataState.get(cluster);
  if (!state) {
    metadataState.set(cluster, { returns, at: Date.now() });
    return;
  }
  const refresh = (): Promise<void> => {
    state.at = Date.now();
    const refreshing: Promise<void> = cluster
      .refreshMetadata()
      .catch((err: unknown) => logger.debug(`metadata refresh failed: ${String(err)}`))
      .finally(() => {
        if (state.refreshing === refreshing) state.refreshing = undefined;
      });
    state.refreshing = refreshing;
    return refreshing;
  };
  if (state.returns !== returns) {
    state.returns = returns;
    await refresh();
  } else if (state.refreshing && !anyUnreachable()) {
    await state.refreshing; // the refresh after a return, started by another send
  } else if (anyUnreachable() && !state.refreshing && Date.now() - state.at >= METADATA_REFRESH_WHILE_UNREACHABLE_MS) {
    void refresh();
  }
}

/** kafkajs' own implementation (for the unit test, which shows what it loses). */
export const kafkajsSendMessages = require(SEND_MESSAGES) as CreateSendMessages;

/** True when kafkajs' producer was loaded before this file: it then holds kafkajs' own function. */
const loadedTooLate = require.cache[MESSAGE_PRODUCER] !== undefined;

type Retriable = Error & { retriable?: boolean; host?: string; port?: number; type?: string };

const UNREACHABLE_BROKER_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);
/** Brokers' addresses by node id, as producers met them (a connection error does not always name its broker). */
const brokerAddresses = new Map<string, string>();

export const sendMessagesTrackingPartitions: CreateSendMessages = ({ logger, cluster, partitioner, eosManager, retrier }) => {
  return async ({ acks, timeout, compression, topicMessages }) => {
    /** Per topic: its messages by partition, fixed on the first attempt that has metadata. */
    const assigned = new Map<string, MessagesPerPartition>();
    /** Per topic: the partitions a leader has acknowledged. */
    const acknowledged = new Map<string, Set<number>>();
    const responses: PartitionResponse[] = [];

    const createProducerRequests = async (): Promise<Promise<void>[]> => {
      await cluster.refreshMetadataIfNecessary();
      await metadataAfterReturns(cluster, logger);
      const perLeader = new Map<string, { topic: string; partitions: number[]; messagesPerPartition: MessagesPerPartition }[]>();
      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', { topic, targetTopics: Array.from(cluster.targetTopics) });
          throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata');
        }
        let messagesPerPartition = assigned.get(topic);
        if (!messagesPerPartition) {
          messagesPerPartition = groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner });
          assigned.set(topic, messagesPerPartition);
        } else {
          placeAgainAwayFromUnreachable(topic, partitionMetadata, messagesPerPartition);
        }
        const done = acknowledged.get(topic);
        const pending = Object.keys(messagesPerPartition)
          .map(Number)
          .filter((partition) => !done?.has(partition));
        if (pending.length === 0) continue;
        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, pending);
        for (const [nodeId, partitions] of Object.entries(partitionsPerLeader)) {
          const entries = perLeader.get(nodeId) ?? [];
          entries.push({ topic, partitions, messagesPerPartition });
          perLeader.set(nodeId, entries);
        }
      }

      return Array.from(perLeader.entries()).map(async ([nodeId, topicDataForBroker]) => {
        try {
          await sendToLeader(nodeId, topicDataForBroker);
          noteReachable(Number(nodeId));
        } catch (err) {
          // Later sends of request/reply messages go to partitions led elsewhere (reachable-leader-partitioner.ts).
          const e = err as Retriable & { broker?: string };
          const address = e.broker ?? (e.host && e.port ? `${e.host}:${e.port}` : brokerAddresses.get(nodeId));
          if (UNREACHABLE_BROKER_ERRORS.has(e.name) && address) noteUnreachable(Number(nodeId), address);
          throw err;
        }
      });
    };

    /**
     * A retry: the messages still waiting for a partition whose leader this process cannot reach are
     * placed again. The partitioner keeps a keyed message (a domain event) on its partition, since the
     * partition is part of its order, and moves a request or a reply to a partition led by a reachable
     * broker (reachable-leader-partitioner.ts). Without this, a request or reply already on its way when
     * its leader died waited in retries until the controllers fenced the broker and elected a new leader
     * (4-6 s): past the gateway's 5-s deadline, a 504 for every request in flight at the kill (issue #22).
     * At least once, as any retry of a send whose acknowledgement was lost.
     */
    const placeAgainAwayFromUnreachable = (topic: string, partitionMetadata: unknown[], messagesPerPartition: MessagesPerPartition) => {
      const done = acknowledged.get(topic);
      const pending = Object.keys(messagesPerPartition)
        .map(Number)
        .filter((partition) => !done?.has(partition));
      if (pending.length === 0) return;
      for (const [nodeId, partitions] of Object.entries(cluster.findLeaderForPartitions(topic, pending))) {
        if (isReachable(Number(nodeId))) continue;
        for (const partition of partitions) {
          const waiting = messagesPerPartition[partition] ?? [];
          delete messagesPerPartition[partition];
          for (const [to, moved] of Object.entries(groupMessagesPerPartition({ topic, partitionMetadata, messages: waiting, partitioner }))) {
            // A partition already acknowledged gets only the moved messages (its own were written).
            if (done?.delete(Number(to)) || !messagesPerPartition[to]) messagesPerPartition[to] = [...moved];
            else messagesPerPartition[to]!.push(...moved);
          }
        }
      }
    };

    const sendToLeader = async (nodeId: string, topicDataForBroker: { topic: string; partitions: number[]; messagesPerPartition: MessagesPerPartition }[]) => {
      const broker = await cluster.findBroker({ nodeId });
      if (broker.brokerAddress) brokerAddresses.set(nodeId, broker.brokerAddress);
      const topicData = topicDataForBroker.map(({ topic, partitions, messagesPerPartition }) => ({
        topic,
        partitions: partitions.map(
          (partition) => ({ partition, messages: messagesPerPartition[partition] ?? [] }) as Record<string, unknown> & { partition: number; messages: Message[] },
        ),
      }));
      await eosManager.acquireBrokerLock(broker);
      try {
        if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
        for (const { topic, partitions } of topicData) {
          for (const entry of partitions) {
            entry['firstSequence'] = eosManager.getSequence(topic, entry.partition);
            eosManager.updateSequence(topic, entry.partition, entry.messages.length);
          }
        }
        let response: unknown;
        try {
          response = await broker.produce({
            transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
            producerId: eosManager.getProducerId(),
            producerEpoch: eosManager.getProducerEpoch(),
            acks,
            timeout,
            compression,
            topicData,
          });
        } catch (e) {
          for (const { topic, partitions } of topicData) {
            for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
          }
          throw e;
        }
        if (acks !== 0) responses.push(...responseSerializer(response));
        for (const { topic, partitions } of topicData) {
          const done = acknowledged.get(topic) ?? new Set<number>();
          for (const entry of partitions) done.add(entry.partition);
          acknowledged.set(topic, done);
        }
      } finally {
        await eosManager.releaseBrokerLock(broker);
      }
    };

    return retrier(async (bail, retryCount, retryTime) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }) => topic));
      try {
        // allSettled: a failed leader must not hide which others answered (they are not sent again).
        const settled = await Promise.allSettled(await createProducerRequests());
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        return responses;
      } catch (err) {
        const e = err as Retriable;
        if (e.name === 'KafkaJSConnectionClosedError' && e.host && e.port) cluster.removeBroker({ host: e.host, port: e.port });
        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, { retryCount, retryTime });
          await cluster.connect();
          await cluster.refreshMetadata();
          throw e;
        }
        if (
          staleMetadata(e) ||
          e.name === 'KafkaJSMetadataNotLoaded' ||
          e.name === 'KafkaJSConnectionError' ||
          e.name === 'KafkaJSConnectionClosedError' ||
          (e.name === 'KafkaJSProtocolError' && e.retriable)
        ) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime });
          await cluster.refreshMetadata();
          throw e;
        }
        logger.error(`${e.message}`, { retryCount, retryTime });
        if (e.retriable) throw e;
        bail(e);
        throw e; // bail has already failed the send; this only ends the attempt
      }
    });
  };
};

// Every producer created from now on sends through the fixed function.
require.cache[SEND_MESSAGES]!.exports = sendMessagesTrackingPartitions;

/** Throws when kafkajs' producer was loaded before this file (its producers would still lose messages). */
export function assertKafkajsSendFix(): void {
  if (loadedTooLate) {
    throw new Error(
      'kafkajs was loaded before @sigil/platform: its producers would keep the send that loses messages on a leader change ' +
        '(kafkajs-send-messages.fix.ts); import @sigil/platform before kafkajs',
    );
  }
}
