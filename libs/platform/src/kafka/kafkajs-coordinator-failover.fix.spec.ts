/**
 * The kafkajs coordinator-failover fix: a heartbeat or commit that cannot
 * reach the group coordinator does not fail the batch; the consumer looks the
 * coordinator up again and sends the next heartbeat there with the same member
 * id; a join that meets a dead or loading coordinator is tried again. Run on
 * kafkajs' real ConsumerGroup with a fake cluster and fake brokers.
 */
import {
  COORDINATOR_RETRY_MS,
  isCoordinatorUnavailable,
  KafkajsConsumerGroup,
  kafkajsCommitOffsets,
  kafkajsHeartbeat,
  kafkajsJoinAndSync,
} from './kafkajs-coordinator-failover.fix';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { KafkaJSConnectionError, KafkaJSProtocolError } = require('kafkajs/src/errors') as {
  KafkaJSConnectionError: new (message: string, extra?: object) => Error;
  KafkaJSProtocolError: new (e: { type: string; message: string; code: number; retriable: boolean }) => Error;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OffsetManager = require('kafkajs/src/consumer/offsetManager') as new (options: Record<string, unknown>) => object;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:19094', { code: 'ECONNREFUSED' });
const protocol = (type: string, code: number) => new KafkaJSProtocolError({ type, code, message: type, retriable: true });

interface FakeBroker {
  nodeId: number;
  heartbeats: Array<{ memberId: string; groupGenerationId: number }>;
  commits: number;
  joins: string[];
  fail?: () => Error;
  isConnected(): boolean;
  heartbeat(payload: { memberId: string; groupGenerationId: number }): Promise<void>;
  offsetCommit(payload: object): Promise<void>;
  joinGroup(payload: { memberId: string }): Promise<object>;
  syncGroup(): Promise<{ memberAssignment: Buffer }>;
}

function broker(nodeId: number): FakeBroker {
  const b: FakeBroker = {
    nodeId,
    heartbeats: [],
    commits: 0,
    joins: [],
    isConnected: () => !b.fail,
    async heartbeat(payload) {
      if (b.fail) throw b.fail();
      b.heartbeats.push(payload);
    },
    async offsetCommit() {
      if (b.fail) throw b.fail();
      b.commits++;
    },
    async joinGroup({ memberId }) {
      if (b.fail) throw b.fail();
      b.joins.push(memberId);
      return { generationId: 8, leaderId: 'member-0', memberId: memberId || 'member-new', members: [], groupProtocol: 'RoundRobinAssigner' };
    },
    async syncGroup() {
      if (b.fail) throw b.fail();
      return { memberAssignment: Buffer.alloc(0) };
    },
  };
  return b;
}

const logger = { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined, namespace: () => logger };

/** A joined member of generation 7 whose coordinator is `old`; the cluster's FindCoordinator answers `answer()`. */
function joinedGroup(old: FakeBroker, answer: () => Promise<FakeBroker>) {
  const committed: Record<string, Record<string, string>> = {};
  const cluster = {
    findGroupCoordinator: answer,
    findBroker: async () => old,
    refreshMetadata: async () => undefined,
    findTopicPartitionMetadata: () => [{ partitionId: 0 }],
    committedOffsets: () => committed,
  };
  const group = new (KafkajsConsumerGroup as unknown as new (options: Record<string, unknown>) => Record<string, unknown>)({
    logger,
    topics: ['t'],
    topicConfigurations: {},
    retry: { retries: 0 },
    cluster,
    groupId: 'sigil.gateway.replies',
    assigners: [],
    sessionTimeout: 10_000,
    rebalanceTimeout: 60_000,
    instrumentationEmitter: { emit: () => undefined },
    autoCommit: true,
  });
  Object.assign(group, { coordinator: old, memberId: 'member-1', generationId: 7, leaderId: 'member-1' });
  // An offset manager with one resolved, uncommitted offset (what a processed batch leaves).
  const offsetManager = new OffsetManager({
    cluster,
    topicConfigurations: {},
    instrumentationEmitter: { emit: () => undefined },
    memberAssignment: { t: [0] },
    autoCommit: true,
    coordinator: old,
    groupId: 'sigil.gateway.replies',
    generationId: 7,
    memberId: 'member-1',
  }) as Record<string, unknown> & { resolveOffset(o: object): void };
  offsetManager.resolveOffset({ topic: 't', partition: 0, offset: '9' });
  group['offsetManager'] = offsetManager;
  return group as unknown as {
    coordinator: FakeBroker;
    memberId: string;
    generationId: number;
    heartbeat(o: { interval: number }): Promise<void>;
    commitOffsets(offsets?: unknown): Promise<void>;
    joinAndSync(): Promise<void>;
  };
}

describe('kafkajs coordinator failover fix', () => {
  it('classifies what says only that the coordinator is away', () => {
    expect(isCoordinatorUnavailable(refused())).toBe(true);
    expect(isCoordinatorUnavailable(protocol('NOT_COORDINATOR_FOR_GROUP', 16))).toBe(true);
    expect(isCoordinatorUnavailable(protocol('GROUP_LOAD_IN_PROGRESS', 14))).toBe(true);
    expect(isCoordinatorUnavailable(Object.assign(new Error('wrapped'), { cause: refused() }))).toBe(true);
    expect(isCoordinatorUnavailable(protocol('UNKNOWN_MEMBER_ID', 25))).toBe(false);
    expect(isCoordinatorUnavailable(protocol('REBALANCE_IN_PROGRESS', 27))).toBe(false);
    expect(isCoordinatorUnavailable(new Error('boom'))).toBe(false);
  });

  it('keeps the batch going when the coordinator dies, finds the new one and heartbeats there as the same member', async () => {
    const old = broker(2);
    const next = broker(3);
    let found = 0;
    const group = joinedGroup(old, async () => {
      found++;
      await sleep(50); // FindCoordinator round trip
      return next;
    });
    await group.heartbeat({ interval: 0 });
    expect(old.heartbeats).toHaveLength(1);

    old.fail = refused;
    // kafkajs would reject here (and so abort the batch after its first message).
    await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
    await expect(group.commitOffsets()).resolves.toBeUndefined();
    expect(found).toBe(1);
    await sleep(60 + COORDINATOR_RETRY_MS);
    expect(group.coordinator).toBe(next);

    await group.heartbeat({ interval: 0 });
    expect(next.heartbeats).toEqual([{ groupId: 'sigil.gateway.replies', memberId: 'member-1', groupGenerationId: 7 }]);
    // The offsets resolved meanwhile are committed to the new coordinator.
    await group.commitOffsets();
    expect(next.commits).toBe(1);
    expect(old.commits).toBe(0);
  });

  it('waits while the new coordinator loads the group, without failing', async () => {
    const old = broker(2);
    const next = broker(3);
    next.fail = () => protocol('GROUP_LOAD_IN_PROGRESS', 14);
    old.fail = refused;
    const group = joinedGroup(old, async () => next);
    await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
    await sleep(COORDINATOR_RETRY_MS + 10);
    await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
    next.fail = undefined;
    await sleep(COORDINATOR_RETRY_MS + 10);
    await group.heartbeat({ interval: 0 });
    expect(next.heartbeats.map((h) => h.memberId)).toEqual(['member-1']);
  });

  it('still throws what concerns the member (kafkajs rejoins on it), and a lost coordinator after a session timeout', async () => {
    const old = broker(2);
    const group = joinedGroup(old, async () => {
      throw refused();
    });
    old.fail = () => protocol('UNKNOWN_MEMBER_ID', 25);
    await expect(group.heartbeat({ interval: 0 })).rejects.toThrow('UNKNOWN_MEMBER_ID');

    old.fail = refused;
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now');
    try {
      clock.mockReturnValue(now);
      await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
      clock.mockReturnValue(now + 10_001);
      await expect(group.heartbeat({ interval: 0 })).rejects.toThrow('ECONNREFUSED');
    } finally {
      clock.mockRestore();
    }
  });

  it('tries a join again, keeping the member id, when it meets a dead or loading coordinator', async () => {
    const old = broker(2);
    const next = broker(3);
    const answers = [old, next];
    old.fail = refused;
    const group = joinedGroup(old, async () => answers.shift() ?? next);
    Object.assign(group, { assigners: [{ name: 'RoundRobinAssigner', protocol: () => ({ name: 'RoundRobinAssigner', metadata: Buffer.alloc(0) }) }] });
    await expect(group.joinAndSync()).resolves.toBeUndefined();
    expect(next.joins).toEqual(['member-1']);
    expect(group.generationId).toBe(8);
  });

  it('wraps the kafkajs methods it was written against (2.2.4: heartbeats and commits go to the coordinator of the last join)', () => {
    expect(String(kafkajsHeartbeat)).toContain('SHARED_HEARTBEAT');
    expect(String(kafkajsCommitOffsets)).toContain('offsetManager.commitOffsets');
    expect(String(kafkajsJoinAndSync)).toContain('bail(e)');
    expect(KafkajsConsumerGroup.prototype.heartbeat).not.toBe(kafkajsHeartbeat);
  });
});
