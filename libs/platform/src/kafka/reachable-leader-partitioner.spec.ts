/**
 * The reachable-leader partitioner: requests go round-robin to partitions
 * whose leader is reachable, replies move to another of the caller's reply
 * partitions when theirs is unreachable, keyed messages never move; and a
 * broker noted unreachable is cleared as soon as it accepts connections.
 */
import { createServer, type Server } from 'node:net';
import { isReachable, noteReachable, noteUnreachable, PROBE_EVERY_MS, unreachableBrokers } from './broker-reachability';
import { ReachableLeaderPartitioner } from './reachable-leader-partitioner';

const topic = 't';
// Partition 0 led by node 1, 1 by node 2, 2 by node 3.
const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: partitionId + 1, partitionErrorCode: 0, replicas: [1, 2, 3], isr: [1, 2, 3] }));
const place = (message: Record<string, unknown>) => ReachableLeaderPartitioner()({ topic, partitionMetadata, message: message as never });

describe('ReachableLeaderPartitioner', () => {
  afterEach(() => {
    for (const node of unreachableBrokers()) noteReachable(node);
  });

  it('spreads key-less messages over every partition while all leaders are reachable', () => {
    const partition = ReachableLeaderPartitioner();
    const chosen = new Set(Array.from({ length: 30 }, () => partition({ topic, partitionMetadata, message: { value: 'x' } })));
    expect([...chosen].sort()).toEqual([0, 1, 2]);
  });

  it('sends key-less messages only to partitions whose leader is reachable', () => {
    noteUnreachable(2, '127.0.0.1:1'); // port 1: refused, stays unreachable
    const partition = ReachableLeaderPartitioner();
    const chosen = Array.from({ length: 30 }, () => partition({ topic, partitionMetadata, message: { value: 'x' } }));
    expect(new Set(chosen)).toEqual(new Set([0, 2]));
  });

  it('moves a reply to another of the caller’s partitions when its own leader is unreachable, and only then', () => {
    expect(place({ value: 'r', partition: 1, replyPartitions: [0, 1, 2] })).toBe(1);
    noteUnreachable(2, '127.0.0.1:1');
    expect(place({ value: 'r', partition: 1, replyPartitions: [1, 2] })).toBe(2);
    // Without alternatives (a caller that does not send them) the named partition stays.
    expect(place({ value: 'r', partition: 1 })).toBe(1);
    // Every alternative unreachable: the named one (waiting is all there is to do).
    expect(place({ value: 'r', partition: 1, replyPartitions: [1] })).toBe(1);
  });

  it('never moves a keyed message (its partition is part of its order)', () => {
    const before = place({ key: 'contact-42', value: 'e' });
    noteUnreachable(before + 1, '127.0.0.1:1');
    expect(place({ key: 'contact-42', value: 'e' })).toBe(before);
  });

  it('uses every partition again when no leader is reachable', () => {
    for (const node of [1, 2, 3]) noteUnreachable(node, '127.0.0.1:1');
    const partition = ReachableLeaderPartitioner();
    const chosen = new Set(Array.from({ length: 30 }, () => partition({ topic, partitionMetadata, message: { value: 'x' } })));
    expect([...chosen].sort()).toEqual([0, 1, 2]);
  });

  it('clears a broker as soon as it accepts connections again', async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as { port: number };
    try {
      noteUnreachable(7, `127.0.0.1:${port}`);
      expect(isReachable(7)).toBe(false);
      const deadline = Date.now() + 20 * PROBE_EVERY_MS;
      while (!isReachable(7) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(isReachable(7)).toBe(true);
    } finally {
      server.close();
    }
  });
});
