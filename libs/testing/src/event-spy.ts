/**
 * Watches domain-event topics of this test file's namespace from the
 * beginning, so a test can assert which events reached Kafka (and how often).
 */
import { randomBytes } from 'node:crypto';
import { Kafka, type Consumer } from 'kafkajs';
import { ALL_EVENT_TOPICS, KAFKA_NAMESPACE, type DomainEvent } from '@sigil/contracts';
import { pollUntil } from './eventually';
import { KAFKA_BROKERS } from './infra';

/** One Kafka record as the spy received it: the event, its key, headers and partition. */
export interface SpiedRecord {
  event: DomainEvent;
  topic: string;
  partition: number;
  key: string | undefined;
  headers: Record<string, string>;
}

export class EventSpy {
  readonly events: DomainEvent[] = [];
  readonly records: SpiedRecord[] = [];
  private consumer: Consumer | undefined;

  static async start(topics: readonly string[] = ALL_EVENT_TOPICS): Promise<EventSpy> {
    const spy = new EventSpy();
    const kafka = new Kafka({ clientId: 'event-spy', brokers: KAFKA_BROKERS, logLevel: 0 });
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 3 })) }).catch(() => undefined);
    }
    await admin.disconnect();
    spy.consumer = kafka.consumer({ groupId: `${KAFKA_NAMESPACE}.spy.${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await spy.consumer.connect();
    await spy.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await spy.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (!message.value) return;
        const event = JSON.parse(message.value.toString()) as DomainEvent;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = value.toString();
        spy.records.push({ event, topic, partition, key: message.key?.toString(), headers });
        spy.events.push(event);
      },
    });
    return spy;
  }

  async waitFor(predicate: (e: DomainEvent) => boolean, timeoutMs = 15000): Promise<DomainEvent> {
    const found = await pollUntil(
      () => this.events.find(predicate),
      (e) => e !== undefined,
      timeoutMs,
    );
    if (found) return found;
    throw new Error(`no matching event within ${timeoutMs} ms; saw: ${this.events.map((e) => e.type).join(', ') || 'none'}`);
  }

  matching(predicate: (e: DomainEvent) => boolean): DomainEvent[] {
    return this.events.filter(predicate);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
