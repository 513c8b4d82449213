/**
 * Keeps kafkajs 2.2.4 consumers consuming while their group coordinator moves
 * to another broker (issue #22: with one broker of three killed, requests
 * failed for 12–19 s when the broker was the coordinator of the gateway's reply
 * group or of a service's request group).
 *
 * What kafkajs does: a consumer keeps the broker that answered FindCoordinator
 * at its last join and sends every heartbeat and offset commit there. When
 * that broker dies, the heartbeat after each batch (and the commit before it)
 * fails with a connection error; the error aborts the batch after its first
 * message and stops the fetch manager, which the runner restarts after a
 * retry delay — towards the same dead coordinator, since kafkajs looks for a
 * new one only on a rejoin. So each partition advances by about one message
 * per retry delay (≤ 1 s) until the dead broker is back and answers
 * NOT_COORDINATOR, or the retries run out and the consumer crashes and
 * rejoins as a new member (then the group waits a session timeout for its
 * old self). A rejoin also fails outright (the join "bails") when it meets a
 * coordinator that is still loading the group.
 *
 * The Java consumer instead marks the coordinator unknown, finds the new one
 * in the background and goes on fetching; its heartbeats reach the new
 * coordinator, which loaded the group (members, generation) from
 * `__consumer_offsets`, so nothing rebalances. This fix does the same:
 *
 * - a heartbeat or offset commit that fails because the coordinator is gone
 *   (connection error, request timeout, NOT_COORDINATOR, coordinator not
 *   available or still loading) no longer fails the batch: the consumer goes
 *   on fetching and processing, skips heartbeats and commits (offsets stay
 *   resolved in memory and are committed later), and looks the coordinator
 *   up again (FindCoordinator, retried until a live broker answers for it);
 * - the next heartbeat goes to the new coordinator, with the same member id
 *   and generation: the group stays as it was; if the member was dropped
 *   meanwhile, kafkajs' own UNKNOWN_MEMBER_ID / rebalance handling rejoins;
 * - once the coordinator has been away for a whole session timeout the group
 *   has surely moved on without this member, so errors go up as before;
 * - a join or sync that meets a dead or loading coordinator is tried again
 *   (with the same member id) for up to a rebalance timeout instead of
 *   crashing (a crashed consumer comes back as a new member).
 *
 * Applied once, when the platform's Kafka code loads; kafkajs is pinned at
 * 2.2.4 (package.json), and the unit test fails if the methods it wraps change
 * shape.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as ConsumerGroupClass;

interface CoordinatorBroker {
  nodeId?: number;
}

/** The kafkajs internals this fix touches. */
export interface ConsumerGroupInternals {
  groupId: string;
  sessionTimeout: number;
  rebalanceTimeout?: number;
  coordinator: CoordinatorBroker | null;
  offsetManager: { coordinator: CoordinatorBroker } | null;
  cluster: { findGroupCoordinator(query: { groupId: string }): Promise<CoordinatorBroker> };
  logger: { warn(message: string, extra?: Record<string, unknown>): void };
  heartbeat(options: { interval: number }): Promise<void>;
  commitOffsets(offsets?: unknown): Promise<void>;
  commitOffsetsIfNecessary(): Promise<void>;
  joinAndSync(): Promise<void>;
}
type ConsumerGroupClass = { prototype: ConsumerGroupInternals };

type KafkaError = Error & { type?: string; cause?: KafkaError };

const UNREACHABLE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS']);

/** The coordinator is gone, moved or not ready: the error says nothing about this member or its group. */
export function isCoordinatorUnavailable(err: unknown): boolean {
  for (let e = err as KafkaError | undefined, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (UNREACHABLE.has(e.name) || (e.type !== undefined && COORDINATOR_MOVED.has(e.type))) return true;
  }
  return false;
}

/** How often a consumer without a coordinator tries a heartbeat or a commit again. */
export const COORDINATOR_RETRY_MS = 250;

interface Lost {
  since: number;
  lastTry: number;
}
const LOST = Symbol('sigil:coordinatorLost');
const FINDING = Symbol('sigil:findingCoordinator');
type Group = ConsumerGroupInternals & { [LOST]?: Lost; [FINDING]?: Promise<void> };

/** kafkajs' own methods (for the unit test). */
export const kafkajsHeartbeat = ConsumerGroup.prototype.heartbeat;
export const kafkajsCommitOffsets = ConsumerGroup.prototype.commitOffsets;
export const kafkajsCommitOffsetsIfNecessary = ConsumerGroup.prototype.commitOffsetsIfNecessary;
export const kafkajsJoinAndSync = ConsumerGroup.prototype.joinAndSync;

/** Looks the coordinator up again, once at a time; the next heartbeat or commit uses what it found. */
function findCoordinator(group: Group): void {
  if (group[FINDING]) return;
  group[FINDING] = group.cluster
    .findGroupCoordinator({ groupId: group.groupId })
    .then(
      (coordinator) => {
        group.coordinator = coordinator;
        if (group.offsetManager) group.offsetManager.coordinator = coordinator;
        group.logger.warn('Found the group coordinator again', { groupId: group.groupId, nodeId: coordinator.nodeId });
      },
      (err: unknown) => {
        group.logger.warn(`Group coordinator not found yet: ${err instanceof Error ? err.message : String(err)}`, { groupId: group.groupId });
      },
    )
    .finally(() => {
      group[FINDING] = undefined;
    });
}

/**
 * Runs a coordinator call (heartbeat, commit). Resolves without it while the
 * coordinator is being looked for, and swallows a failure that only says the
 * coordinator is away, for up to a session timeout.
 */
async function viaCoordinator(group: Group, call: () => Promise<void>): Promise<void> {
  const now = Date.now();
  const lost = group[LOST];
  if (lost) {
    if (now - lost.since > group.sessionTimeout) {
      // The group has moved on without this member: let kafkajs handle what comes (rejoin or crash).
      group[LOST] = undefined;
      return call();
    }
    if (group[FINDING] || now - lost.lastTry < COORDINATOR_RETRY_MS) return;
    lost.lastTry = now;
  }
  try {
    await call();
    if (group[LOST]) {
      group.logger.warn('Group coordinator reachable again', { groupId: group.groupId, afterMs: Date.now() - group[LOST]!.since });
      group[LOST] = undefined;
    }
  } catch (err) {
    if (!isCoordinatorUnavailable(err)) throw err;
    const current = group[LOST] ?? (group[LOST] = { since: now, lastTry: now });
    if (current.since === now) {
      group.logger.warn(`Group coordinator unavailable (${(err as Error).message}): consuming on while looking for it`, { groupId: group.groupId });
    }
    findCoordinator(group);
  }
}

ConsumerGroup.prototype.heartbeat = function heartbeat(this: Group, options: { interval: number }) {
  return viaCoordinator(this, () => kafkajsHeartbeat.call(this, options));
};

ConsumerGroup.prototype.commitOffsets = function commitOffsets(this: Group, offsets?: unknown) {
  // Offsets given explicitly are the caller's to retry; resolved offsets stay and are committed later.
  if (offsets !== undefined) return kafkajsCommitOffsets.call(this, offsets);
  return viaCoordinator(this, () => kafkajsCommitOffsets.call(this));
};

ConsumerGroup.prototype.commitOffsetsIfNecessary = function commitOffsetsIfNecessary(this: Group) {
  return viaCoordinator(this, () => kafkajsCommitOffsetsIfNecessary.call(this));
};

ConsumerGroup.prototype.joinAndSync = async function joinAndSync(this: Group) {
  // As long as the coordinator would wait for this member in a rebalance.
  const deadline = Date.now() + (this.rebalanceTimeout ?? this.sessionTimeout);
  for (;;) {
    try {
      await kafkajsJoinAndSync.call(this);
      this[LOST] = undefined;
      return;
    } catch (err) {
      // kafkajs gives up on these at once; a join looks the coordinator up first, so trying again finds the new one.
      if (!isCoordinatorUnavailable(err) || Date.now() > deadline) throw err;
      this.logger.warn(`Joining the group failed (${(err as Error).message}); trying again`, { groupId: this.groupId });
      await new Promise((resolve) => setTimeout(resolve, COORDINATOR_RETRY_MS));
    }
  }
};

/** The patched class (for the unit test). */
export const KafkajsConsumerGroup = ConsumerGroup;
