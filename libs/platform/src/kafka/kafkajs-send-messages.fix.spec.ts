/**
 * The kafkajs send fix: when a partition's leader dies mid-send and the
 * partition moves to a broker that already answered for its own partitions,
 * the retry still sends that partition (kafkajs 2.2.4 drops it and reports
 * success — shown here too, so the test fails if kafkajs' function changes).
 */
import {
  kafkajsSendMessages,
  METADATA_REFRESH_WHILE_UNREACHABLE_MS,
  sendMessagesTrackingPartitions,
  type CreateSendMessages,
  type SendMessagesDeps,
} from './kafkajs-send-messages.fix';
import { isReachable, noteReachable, noteUnreachable } from './broker-reachability';
import { ReachableLeaderPartitioner } from './reachable-leader-partitioner';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { KafkaJSConnectionError } = require('kafkajs/src/errors') as { KafkaJSConnectionError: new (message: string, extra?: object) => Error };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createRetry = require('kafkajs/src/retry') as (opts: object) => SendMessagesDeps['retrier'];

interface Sent {
  node: number;
  partitions: { partition: number; messages: { value: string }[] }[];
}

/** Two brokers; partition 0 led by node 1, partition 1 by node 2 until node 2 dies and node 1 takes it over. */
function twoBrokers(address?: string): { deps: SendMessagesDeps; sent: Sent[] } {
  const sent: Sent[] = [];
  let leaders: Record<number, number> = { 0: 1, 1: 2 };
  let node2Alive = true;
  const broker = (nodeId: number) => ({
    nodeId,
    brokerAddress: address && `${address}${nodeId}`,
    produce: async (req: Record<string, unknown>) => {
      if (nodeId === 2 && !node2Alive) throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9094');
      if (nodeId === 2) {
        node2Alive = false; // dies while answering its first request
        throw new KafkaJSConnectionError('Connection error: read ECONNRESET');
      }
      const topicData = req['topicData'] as { topic: string; partitions: Sent['partitions'] }[];
      sent.push({ node: nodeId, partitions: topicData.flatMap((t) => t.partitions) });
      return { topics: topicData.map((t) => ({ topicName: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) })) };
    },
  });
  const brokers = { 1: broker(1), 2: broker(2) } as Record<number, ReturnType<typeof broker>>;
  let counter = 0;
  const deps: SendMessagesDeps = {
    logger: { debug: () => undefined, error: () => undefined },
    cluster: {
      refreshMetadataIfNecessary: async () => undefined,
      refreshMetadata: async () => {
        if (!node2Alive) leaders = { 0: 1, 1: 1 };
      },
      findTopicPartitionMetadata: () => [{ partitionId: 0 }, { partitionId: 1 }],
      findLeaderForPartitions: (_topic, partitions) => {
        const out: Record<string, number[]> = {};
        for (const p of partitions) (out[leaders[Number(p)]!] ??= []).push(Number(p));
        return out;
      },
      findBroker: async ({ nodeId }) => brokers[Number(nodeId)]!,
      addMultipleTargetTopics: async () => undefined,
      isConnected: () => true,
      connect: async () => undefined,
      removeBroker: () => undefined,
      targetTopics: new Set(['t']),
    },
    // Key-less round robin, like kafkajs' default partitioner without a key: a retry must not reshuffle.
    partitioner: () => counter++ % 2,
    eosManager: {
      acquireBrokerLock: async () => undefined,
      releaseBrokerLock: async () => undefined,
      isTransactional: () => false,
      addPartitionsToTransaction: async () => undefined,
      getSequence: () => 0,
      updateSequence: () => undefined,
      getTransactionalId: () => '',
      getProducerId: () => -1,
      getProducerEpoch: () => 0,
    },
    retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
  };
  return { deps, sent };
}

const messages = ['a', 'b', 'c', 'd'].map((value) => ({ value }));

async function send(create: CreateSendMessages, address?: string) {
  const { deps, sent } = twoBrokers(address);
  const responses = await create(deps)({ acks: -1, topicMessages: [{ topic: 't', messages }] });
  const delivered = sent.flatMap((s) => s.partitions.flatMap((p) => p.messages.map((m) => `${p.partition}:${m.value}`))).sort();
  return { responses, delivered, sent };
}

/**
 * Node 2 leads partition 1 and is dead (refused), and the controllers have not fenced it yet: the
 * metadata still names it as the leader. The partitioner is the one request/reply producers use.
 */
function deadLeaderNotYetFenced(): { deps: SendMessagesDeps; sent: Sent[] } {
  const { deps, sent } = twoBrokers('127.0.0.1:');
  const metadata = [
    { partitionId: 0, leader: 1 },
    { partitionId: 1, leader: 2 },
  ];
  const alive = deps.cluster.findBroker;
  return {
    sent,
    deps: {
      ...deps,
      cluster: {
        ...deps.cluster,
        refreshMetadata: async () => undefined,
        findTopicPartitionMetadata: () => metadata,
        findLeaderForPartitions: (_topic, partitions) => {
          const out: Record<string, number[]> = {};
          for (const p of partitions) (out[metadata[Number(p)]!.leader] ??= []).push(Number(p));
          return out;
        },
        findBroker: async ({ nodeId }) => {
          const broker = await alive({ nodeId });
          if (Number(nodeId) !== 2) return broker;
          return { ...broker, produce: () => Promise.reject(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:2')) };
        },
      },
      partitioner: ReachableLeaderPartitioner() as SendMessagesDeps['partitioner'],
    },
  };
}

describe('kafkajs send fix: a retry moves requests and replies away from a leader that cannot be reached', () => {
  afterEach(() => noteReachable(2));

  it('sends key-less messages bound for the dead leader to a partition led by a reachable broker', async () => {
    const { deps, sent } = deadLeaderNotYetFenced();
    const responses = await sendMessagesTrackingPartitions(deps)({ acks: 1, topicMessages: [{ topic: 't', messages }] });
    const delivered = sent.flatMap((s) => s.partitions.flatMap((p) => p.messages.map((m) => `${p.partition}:${m.value}`))).sort();
    expect(delivered).toEqual(['0:a', '0:b', '0:c', '0:d']); // each once, all on the partition node 1 leads
    expect(sent.every((s) => s.node === 1)).toBe(true);
    expect(responses.length).toBeGreaterThan(0);
  });

  it('keeps a keyed message (a domain event) on its partition: it waits for the new leader rather than move', async () => {
    const { deps, sent } = deadLeaderNotYetFenced();
    // The key 'k1' hashes to partition 1 of 2 with kafkajs' default (murmur2) partitioner.
    const keyed = [{ key: 'k1', value: 'e' }];
    const partitionOfKey = (deps.partitioner as (a: object) => number)({
      topic: 't',
      partitionMetadata: [
        { partitionId: 0, leader: 1 },
        { partitionId: 1, leader: 1 },
      ],
      message: keyed[0],
    });
    expect(partitionOfKey).toBe(1);
    await expect(sendMessagesTrackingPartitions(deps)({ acks: -1, topicMessages: [{ topic: 't', messages: keyed }] })).rejects.toThrow(/ECONNREFUSED/);
    expect(sent).toEqual([]); // never written to another partition
  });
});

describe('kafkajs send fix (partition leadership moves mid-send)', () => {
  it('sends the moved partition to its new leader although that broker already answered', async () => {
    const { responses, delivered, sent } = await send(sendMessagesTrackingPartitions);
    expect(delivered).toEqual(['0:a', '0:c', '1:b', '1:d']); // every message, each once, in the partition first chosen
    expect(sent.map((s) => [s.node, s.partitions.map((p) => p.partition)])).toEqual([
      [1, [0]],
      [1, [1]],
    ]);
    expect(responses.map((r) => r.partition).sort()).toEqual([0, 1]);
  });

  it('notes the broker it could not reach, so later requests and replies go to partitions led elsewhere', async () => {
    try {
      await send(sendMessagesTrackingPartitions, '127.0.0.1:'); // node 2 at port 2: refused
      expect(isReachable(2)).toBe(false);
      expect(isReachable(1)).toBe(true);
    } finally {
      noteReachable(2);
    }
  });

  it('kafkajs 2.2.4 itself reports success and never sends the moved partition (issue #1303)', async () => {
    const { responses, delivered } = await send(kafkajsSendMessages);
    expect(delivered).toEqual(['0:a', '0:c']);
    expect(responses.map((r) => r.partition)).toEqual([0]);
  });

  it('is the function kafkajs producers now get', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/producer/sendMessages')).toBe(sendMessagesTrackingPartitions);
  });
});

describe("kafkajs send fix: the metadata around a broker's absence", () => {
  /** One live broker; every call the send makes to the cluster, in order. */
  function recording() {
    const { deps } = twoBrokers();
    const calls: string[] = [];
    let finishRefresh: () => void = () => undefined;
    let holdRefresh = false;
    const cluster: SendMessagesDeps['cluster'] = {
      ...deps.cluster,
      refreshMetadata: () => {
        calls.push('refresh');
        return holdRefresh ? new Promise<void>((r) => (finishRefresh = r)) : Promise.resolve();
      },
      findLeaderForPartitions: (_topic, partitions) => ({ 1: partitions }),
    };
    const partitioner: SendMessagesDeps['partitioner'] = () => {
      calls.push('place');
      return 0;
    };
    const send = sendMessagesTrackingPartitions({ ...deps, cluster, partitioner });
    const one = () => send({ acks: 1, topicMessages: [{ topic: 't', messages: [{ value: 'x' }] }] });
    return { calls, one, hold: () => (holdRefresh = true), finish: () => finishRefresh() };
  }

  it('after a broker accepted connections again, the next send refreshes the metadata before it places messages', async () => {
    const { calls, one } = recording();
    await one();
    expect(calls).toEqual(['place']);
    noteUnreachable(7, '127.0.0.1:2'); // nothing listens on port 2
    noteReachable(7);
    await one();
    await one();
    // One refresh, before the placement that follows the return; none after.
    expect(calls).toEqual(['place', 'refresh', 'place', 'place']);
  });

  it('while a broker is unreachable, refreshes in the background at most once a second, without holding sends', async () => {
    const { calls, one, hold, finish } = recording();
    await one();
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    noteUnreachable(8, '127.0.0.1:2');
    try {
      hold(); // a refresh that does not end: the sends must not wait for it
      now += METADATA_REFRESH_WHILE_UNREACHABLE_MS;
      await one();
      await one();
      now += METADATA_REFRESH_WHILE_UNREACHABLE_MS;
      await one(); // the first refresh is still under way: no second one
      expect(calls).toEqual(['place', 'refresh', 'place', 'place', 'place']);
      finish();
      await new Promise((r) => setImmediate(r));
      now += METADATA_REFRESH_WHILE_UNREACHABLE_MS;
      await one();
      expect(calls.filter((c) => c === 'refresh')).toHaveLength(2);
    } finally {
      clock.mockRestore();
      noteReachable(8);
    }
  });
});
