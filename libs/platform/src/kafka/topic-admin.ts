/**
 * Creates the topics a process needs before it consumes or produces, with
 * enough partitions for the largest replica count (SPEC §1). Idempotent and
 * safe to race: several replicas may start at once.
 */
import { Kafka, type Admin } from 'kafkajs';
import { ALL_EVENT_TOPICS, ALL_RPC_TOPICS } from '@sigil/contracts';
import { kafkaClientConfig, type KafkaSettings } from './kafka.config';

/**
 * A request may carry a body of up to 1 MiB (plus its envelope), over the
 * broker's default 1 MB message limit: topics accept up to 4 MiB.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const TOPIC_CONFIG = [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }];

export function allSigilTopics(): string[] {
  return [...ALL_EVENT_TOPICS, ...ALL_RPC_TOPICS];
}

export async function ensureTopics(settings: KafkaSettings, topics: string[] = allSigilTopics(), timeoutMs = 60000): Promise<void> {
  const admin = new Kafka(kafkaClientConfig({ ...settings, clientId: `${settings.clientId}-admin` })).admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    // Idempotent, so on any transient error (a topic still being created by another
    // replica, a broker still loading metadata) the whole step simply runs again.
    for (let attempt = 1; ; attempt++) {
      try {
        await createMissing(admin, settings.partitions, topics);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2000)));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, partitions: number, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length) {
    await admin
      .createTopics({
        waitForLeaders: false,
        timeout: 30000,
        // No replicationFactor: the broker's default.replication.factor (1 on a single dev node,
        // 3 on a cluster, with its min.insync.replicas), as the deploy/ KafkaTopics ask.
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, configEntries: TOPIC_CONFIG })),
      })
      .catch((err: unknown) => {
        // Another replica may have created some of them first; the metadata check below decides.
        if (!/already exists/i.test(String(err))) throw err;
      });
  }
  const meta = await admin.fetchTopicMetadata({ topics });
  const leaderless = meta.topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
  if (leaderless.length) throw new Error(`topics without leaders yet: ${leaderless.map((t) => t.name).join(', ')}`);
  const grow = meta.topics.filter((t) => t.partitions.length < partitions).map((t) => ({ topic: t.name, count: partitions }));
  if (grow.length) await admin.createPartitions({ topicPartitions: grow });
}
