/**
 * Kafka failover probe: how long a Sigil consumer stops consuming when one
 * broker of a cluster dies (issue #22), without the rest of the platform.
 *
 * On a running cluster (`npm run infra -- up --kafka-brokers 3` on private
 * ports), with Sigil's own client and consumer settings and kafkajs fixes: a
 * topic of 6 partitions (RF 3, min.insync.replicas 2) gets a message every
 * 20 ms, round-robin over the partitions (acks all); one consumer group reads
 * it. After 10 s one broker that is not the controller quorum's leader gets
 * kill -9; the probe watches 45 s more, starts the node again and reports:
 * the last failed send after the kill, the longest time no message arrived,
 * the worst end-to-end latency of a message sent after the kill, and every
 * acknowledged message that never arrived (must be none).
 *
 *   SIGIL_INFRA_DIR=$PWD/.infra-probe SIGIL_KAFKA_PORT=29792 npm run infra -- up kafka --kafka-brokers 3
 *   SIGIL_INFRA_DIR=$PWD/.infra-probe SIGIL_KAFKA_PORT=29792 node dist/tools/reliability/src/chaos/kafka-failover-probe.js [--without-fix]
 *
 * `--without-fix` puts kafkajs' own fetch recovery back (for a before/after
 * comparison of `kafkajs-fetch-recovery.fix.ts`).
 *
 * `--kill coordinator` kills the broker that coordinates the probe's consumer
 * group instead (the group id is chosen so that it is not the quorum leader):
 * the case of the gateway's reply group or a service's request group losing
 * its coordinator. `--without-coordinator-fix` puts kafkajs' own heartbeat,
 * commit and join back (before/after of `kafkajs-coordinator-failover.fix.ts`).
 *
 * `--kill quorum-leader` kills the controller quorum's leader (a broker too,
 * in the combined nodes of tools/infra). The waits for acknowledgements are
 * also reported apart for partitions the killed node led and for those the
 * survivors led: with acks from all in-sync replicas, the latter show how long
 * the dead node froze partitions it did not lead (until it left their in-sync
 * replicas), which is what requests and replies wait for once they avoid the
 * dead leader (reachable-leader-partitioner.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
// @sigil/platform first: its kafkajs fixes must be in place before kafkajs loads.
import {
  consumerDefaults,
  kafkaClientConfig,
  kafkajsCommitOffsets,
  kafkajsCommitOffsetsIfNecessary,
  KafkajsConsumerGroup,
  KafkajsCoordinatorFailoverGroup,
  kafkajsHeartbeat,
  kafkajsJoinAndSync,
  kafkajsRecoverFromFetch,
} from '@sigil/platform';
import { Kafka } from 'kafkajs';
import { coordinatorsOf } from './kafka-roles';

const run = promisify(execFile);
// dist/tools/reliability/src/chaos → the repository root.
const INFRA = join(__dirname, '../../../../../tools/infra/infra.sh');
const PARTITIONS = 6;
const SEND_EVERY_MS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  node: number;
  port: number;
  pid?: number;
  quorumLeader: boolean;
}

async function nodes(): Promise<Node[]> {
  const { stdout } = await run('bash', [INFRA, 'status'], { env: process.env }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return stdout
    .split('\n')
    .map((l) => ({ l, m: /^kafka\s+(running|stopped)\s+127\.0\.0\.1:(\d+)\s+\((?:node (\d+) of \d+)?(?:, )?(?:pid (\d+))?/.exec(l) }))
    .filter(({ m }) => m)
    .map(({ l, m }) => ({
      node: Number(m![3] ?? 1),
      port: Number(m![2]),
      pid: m![1] === 'running' && m![4] ? Number(m![4]) : undefined,
      quorumLeader: l.includes('quorum leader'),
    }));
}

async function main(): Promise<void> {
  const withoutFix = process.argv.includes('--without-fix');
  const withoutCoordinatorFix = process.argv.includes('--without-coordinator-fix');
  const killCoordinator = process.argv.join(' ').includes('--kill coordinator');
  const killQuorumLeader = process.argv.join(' ').includes('--kill quorum-leader');
  if (withoutFix) KafkajsConsumerGroup.prototype.recoverFromFetch = kafkajsRecoverFromFetch;
  if (withoutCoordinatorFix) {
    Object.assign(KafkajsCoordinatorFailoverGroup.prototype, {
      heartbeat: kafkajsHeartbeat,
      commitOffsets: kafkajsCommitOffsets,
      commitOffsetsIfNecessary: kafkajsCommitOffsetsIfNecessary,
      joinAndSync: kafkajsJoinAndSync,
    });
  }
  const cluster = await nodes();
  if (cluster.length < 3) throw new Error(`needs a cluster of 3 (infra status shows ${cluster.length} node(s))`);
  const brokers = cluster.map((n) => `127.0.0.1:${n.port}`);
  const settings = { clientId: 'failover-probe', brokers, partitions: PARTITIONS };
  const kafka = new Kafka(kafkaClientConfig(settings));
  const topic = `probe-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
  });
  // The group's coordinator is the leader of its __consumer_offsets partition; with --kill coordinator
  // pick a group id coordinated by a broker that is not the quorum leader (that is another scenario).
  let groupId = `${topic}.group`;
  let coordinatorNode: number | undefined;
  if (killCoordinator) {
    // On a fresh cluster __consumer_offsets appears with the first group: join one.
    const warm = kafka.consumer(consumerDefaults(`${topic}.warm-up`));
    await warm.connect();
    await warm.subscribe({ topic });
    await new Promise<void>((joined) => {
      warm.on(warm.events.GROUP_JOIN, () => joined());
      void warm.run({ eachMessage: async () => undefined });
    });
    await warm.disconnect();
    const quorumLeader = cluster.find((n) => n.quorumLeader)?.node;
    for (let i = 0; ; i++) {
      const candidate = `${topic}.group-${i}`;
      const leader = (await coordinatorsOf(admin, [candidate])).get(candidate);
      if (leader !== undefined && leader >= 0 && leader !== quorumLeader) {
        groupId = candidate;
        coordinatorNode = leader;
        break;
      }
    }
  }

  const acked = new Map<string, number>();
  const arrived = new Map<string, number>();
  const failedSends: number[] = [];
  const consumer = kafka.consumer(consumerDefaults(groupId));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let lastArrival = Date.now();
  let longestGap = { ms: 0, endedAt: 0 };
  await consumer.run({
    eachMessage: async ({ message }) => {
      const now = Date.now();
      if (now - lastArrival > longestGap.ms) longestGap = { ms: now - lastArrival, endedAt: now };
      lastArrival = now;
      arrived.set(message.value!.toString(), now);
    },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  let seq = 0;
  let sending = true;
  const sender = (async () => {
    while (sending) {
      const id = `${seq}`;
      const partition = seq++ % PARTITIONS;
      const sentAt = Date.now();
      void producer
        .send({ topic, acks: -1, messages: [{ partition, value: `${id}|${sentAt}` }] })
        .then(() => acked.set(`${id}|${sentAt}`, Date.now()))
        .catch(() => failedSends.push(sentAt));
      await sleep(SEND_EVERY_MS);
    }
  })();

  await sleep(10_000);
  longestGap = { ms: 0, endedAt: 0 };
  // The quorum leader may have moved since the probe began.
  const current = killQuorumLeader ? await nodes() : cluster;
  const target = current.find((n) => (killQuorumLeader ? n.quorumLeader : coordinatorNode === undefined ? !n.quorumLeader : n.node === coordinatorNode) && n.pid);
  if (!target) throw new Error('no node to kill (no quorum leader found?)');
  const ledByTarget = new Set(
    (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.filter((p) => p.leader === target.node).map((p) => p.partitionId),
  );
  await admin.disconnect();
  const killedAt = Date.now();
  console.log(
    `probe: kill -9 Kafka node ${target.node} (pid ${target.pid}${target.quorumLeader ? ', controller quorum leader' : ''}${coordinatorNode === undefined ? '' : `, coordinator of ${groupId}`}; ` +
      `it leads partitions ${[...ledByTarget].join(', ') || 'none'} of the probe's topic) ` +
      `${withoutFix ? 'WITHOUT' : 'with'} the fetch-recovery fix, ${withoutCoordinatorFix ? 'WITHOUT' : 'with'} the coordinator-failover fix`,
  );
  process.kill(target.pid!, 'SIGKILL');
  await sleep(45_000);
  sending = false;
  await sender;
  await sleep(5000); // the last sends settle and arrive
  await run('bash', [INFRA, 'start', 'kafka'], { env: process.env }).catch((e: Error) => console.error(`probe: restarting the node failed: ${e.message}`));

  const afterKill = [...arrived.entries()].filter(([k]) => Number(k.split('|')[1]) >= killedAt);
  const worst = Math.max(0, ...afterKill.map(([k, at]) => at - Number(k.split('|')[1])));
  const lost = [...acked.keys()].filter((k) => !arrived.has(k));
  // Where the time went: waiting for the send's acknowledgement (a partition without a leader
  // until the controller fences the dead broker), or for the consumer after the acknowledgement.
  const ackWait = ([k]: [string, number]) => (acked.get(k) ?? 0) - Number(k.split('|')[1]);
  const worstAck = Math.max(0, ...afterKill.map(ackWait));
  const onTargetPartition = ([k]: [string, number]) => ledByTarget.has(Number(k.split('|')[0]) % PARTITIONS);
  const worstAckSurvivors = Math.max(0, ...afterKill.filter((e) => !onTargetPartition(e)).map(ackWait));
  const worstAckTarget = Math.max(0, ...afterKill.filter(onTargetPartition).map(ackWait));
  const worstAfterAck = Math.max(0, ...afterKill.filter(([k]) => acked.has(k)).map(([k, at]) => at - acked.get(k)!));
  const failedAfter = failedSends.filter((t) => t >= killedAt);
  console.log(
    JSON.stringify(
      {
        fix: !withoutFix,
        coordinator_fix: !withoutCoordinatorFix,
        killed: target.quorumLeader ? 'the controller quorum leader' : coordinatorNode === undefined ? 'a broker' : 'the group coordinator',
        sent: seq,
        acknowledged: acked.size,
        failed_sends_after_kill: failedAfter.length,
        last_failed_send_s_after_kill: failedAfter.length ? (Math.max(...failedAfter) - killedAt) / 1000 : null,
        longest_gap_without_arrivals_s: longestGap.ms / 1000,
        gap_ended_s_after_kill: longestGap.endedAt ? (longestGap.endedAt - killedAt) / 1000 : null,
        worst_latency_of_a_message_sent_after_kill_s: worst / 1000,
        of_which_worst_wait_for_ack_s: worstAck / 1000,
        worst_wait_for_ack_on_partitions_the_survivors_led_s: worstAckSurvivors / 1000,
        worst_wait_for_ack_on_partitions_the_killed_node_led_s: worstAckTarget / 1000,
        of_which_worst_arrival_after_ack_s: worstAfterAck / 1000,
        acknowledged_but_never_arrived: lost.length,
        load_average: (await import('node:os')).loadavg().map((l) => l.toFixed(1)),
      },
      null,
      2,
    ),
  );
  await Promise.allSettled([producer.disconnect(), consumer.disconnect()]);
  process.exit(lost.length ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
