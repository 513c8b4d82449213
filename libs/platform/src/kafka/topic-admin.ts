/**
 * Creates the topics a process needs before it consumes or produces, with
 * enough partitions for the largest replica count (SPEC §1). Idempotent and
 * safe to race: several replicas may start at once.
 */
import { Kafka } from 'kafkajs';
import { ALL_EVENT_TOPICS, ALL_PATTERNS, replyTopic } from '@sigil/contracts';
import { kafkaClientConfig, type KafkaSettings } from './kafka.config';

export function allSigilTopics(): string[] {
  return [...ALL_EVENT_TOPICS, ...ALL_PATTERNS, ...ALL_PATTERNS.map(replyTopic)];
}

export async function ensureTopics(settings: KafkaSettings, topics: string[] = allSigilTopics()): Promise<void> {
  const admin = new Kafka(kafkaClientConfig({ ...settings, clientId: `${settings.clientId}-admin` })).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          timeout: 30000,
          topics: missing.map((topic) => ({ topic, numPartitions: settings.partitions, replicationFactor: 1 })),
        });
      } catch (err) {
        // Another replica created some of them first: fine, as long as they exist now.
        const now = new Set(await admin.listTopics());
        if (!missing.every((t) => now.has(t))) throw err;
      }
    }
    const present = topics.filter((t) => existing.has(t));
    if (present.length) {
      const meta = await admin.fetchTopicMetadata({ topics: present });
      const grow = meta.topics
        .filter((t) => t.partitions.length < settings.partitions)
        .map((t) => ({ topic: t.name, count: settings.partitions }));
      if (grow.length) await admin.createPartitions({ topicPartitions: grow });
    }
  } finally {
    await admin.disconnect();
  }
}
