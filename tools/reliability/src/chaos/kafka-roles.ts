/**
 * What a Kafka node does for the platform right now: the consumer groups it
 * coordinates and the partitions it leads. The chaos runner records it for
 * each broker it kills (a group whose coordinator dies, or a partition whose
 * leader dies, is what a client has to fail over), the failover probe uses it
 * to kill the coordinator of its own group.
 */
import { Kafka, logLevel } from 'kafkajs';

/** The `__consumer_offsets` partition of a group, as the broker computes it (Java `String.hashCode`, modulo the partition count). */
export function offsetsPartitionOf(groupId: string, partitions = 50): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(31, h) + groupId.charCodeAt(i)) | 0;
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

export interface NodeRoles {
  /** Consumer groups whose coordinator is this node. */
  coordinates: string[];
  /** Partitions of non-internal topics this node leads. */
  leads: number;
}

/** The coordinator node of each group: the leader of its `__consumer_offsets` partition. */
export async function coordinatorsOf(admin: ReturnType<Kafka['admin']>, groupIds: string[]): Promise<Map<string, number>> {
  const offsets = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
  const leaders = new Map(offsets.topics[0]!.partitions.map((p) => [p.partitionId, p.leader]));
  return new Map(groupIds.map((g) => [g, leaders.get(offsetsPartitionOf(g, leaders.size)) ?? -1]));
}

/** The roles of `node` on the cluster at `brokers`, for the groups whose id starts with `groupPrefix` (best effort: undefined if the cluster does not answer). */
export async function rolesOf(brokers: string[], node: number, groupPrefix = ''): Promise<NodeRoles | undefined> {
  const admin = new Kafka({ clientId: 'chaos-roles', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const coordinators = await coordinatorsOf(
      admin,
      groups.map((g) => g.groupId).filter((g) => g.startsWith(groupPrefix)),
    );
    const meta = await admin.fetchTopicMetadata();
    return {
      coordinates: [...coordinators]
        .filter(([, leader]) => leader === node)
        .map(([g]) => g)
        .sort(),
      leads: meta.topics
        .filter((t) => !t.name.startsWith('__'))
        .flatMap((t) => t.partitions)
        .filter((p) => p.leader === node).length,
    };
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
