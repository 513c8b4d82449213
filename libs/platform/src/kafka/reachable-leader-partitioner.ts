/**
 * Sends request/reply messages only to partitions whose leader this process
 * can reach (issue #22: with one broker of three killed, a third of the
 * requests — and every reply, when the dead broker led the gateway's reply
 * partition — waited in produce retries until the controllers fenced the
 * broker and moved its partitions, ~4–7 s: past the gateway's 5-s deadline).
 *
 * Brokers a produce could not reach (connection refused, reset, timed out)
 * are noted by node id (broker-reachability.ts, from the send in
 * `kafkajs-send-messages.fix.ts`); a TCP probe every 200 ms clears the note as
 * soon as the broker accepts connections again. The partitioner then places:
 *
 * - a message without key or partition (a request: any partition of its
 *   service's request topic will do) round-robin over the partitions whose
 *   leader is reachable;
 * - a reply (explicit partition, with the caller's other reply partitions in
 *   `replyPartitions`, see `ConcurrentServerKafka`) on its partition, or on
 *   another partition the caller consumes if that one's leader is unreachable;
 * - everything else (keyed domain events, explicit partitions) as kafkajs'
 *   default partitioner does: an event's partition is part of its order.
 *
 * When no leader is known to be unreachable this is kafkajs' default
 * partitioner; when every leader is, too (one development broker restarting:
 * waiting is all there is to do).
 */
import { Partitioners, type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';
import { anyUnreachable, isReachable } from './broker-reachability';

/** A reply's other acceptable partitions (the caller's reply partitions), carried beside the message, not on the wire. */
export interface ReplyMessage {
  partition?: number;
  replyPartitions?: number[];
}

type Placement = Pick<PartitionerArgs, 'topic' | 'partitionMetadata'> & { message: PartitionerArgs['message'] & ReplyMessage };

export const ReachableLeaderPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  let counter = Math.floor(Math.random() * 1024);
  return (args: Placement) => {
    const { partitionMetadata, message } = args;
    if (!anyUnreachable()) return fallback(args);
    const reachable = (partition: number) => {
      const leader = partitionMetadata.find((p) => p.partitionId === partition)?.leader;
      return leader !== undefined && leader >= 0 && isReachable(leader);
    };
    if (message.partition !== undefined && message.partition !== null) {
      if (!message.replyPartitions?.length || reachable(message.partition)) return message.partition;
      return message.replyPartitions.find(reachable) ?? message.partition;
    }
    if (message.key !== undefined && message.key !== null) return fallback(args);
    const candidates = partitionMetadata.filter((p) => reachable(p.partitionId));
    if (candidates.length === 0) return fallback(args);
    return candidates[counter++ % candidates.length]!.partitionId;
  };
};
