/**
 * The webhooks service's module on real PostgreSQL, Redis and Kafka for
 * integration tests (no HTTP, no RPC server): its own database, this test
 * file's Kafka namespace and queue, a compressed retry schedule, and a
 * producer to publish domain events as other services would.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { AssignerProtocol, Kafka, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  ALL_EVENT_TOPICS,
  EVENT_ENVELOPE_VERSION,
  EVENT_TOPIC_OF,
  serviceGroupId,
  WEBHOOK_DELIVERY_QUEUE,
  WEBHOOK_QUEUE_PREFIX,
  type DomainEvent,
  type EventPayloads,
  type EventType,
  type Mode,
  type RequestContext,
} from '@sigil/contracts';
import { ensureTopics, loadConfig, newId } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase, eventually, KAFKA_BROKERS, REDIS_URL, testKafka, type WebhookReceiver } from '@sigil/testing';
import { WebhooksAppModule } from '../app.module';
import { WebhooksConfigSchema } from '../config';
import { bullConnection } from '../delivery/delivery-queue';
import { EndpointsService } from '../endpoints/endpoints.service';
import { FANOUT_CONSUMER } from '../fanout/fanout.service';

export class WebhooksHarness {
  private constructor(
    readonly app: INestApplicationContext,
    readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly databaseUrl: string,
    private readonly ownsDatabase: boolean,
  ) {}

  /** `replicaOf`: a second instance of the service on the first one's database and queue (another replica). */
  static async start(env: Record<string, string> = {}, replicaOf?: WebhooksHarness): Promise<WebhooksHarness> {
    return WebhooksHarness.launch(env, replicaOf?.databaseUrl ?? (await createTestDatabase('webhooks')), !replicaOf);
  }

  /** Stops this instance and starts another on its database with `env` (e.g. a new KEK list); the new one owns the database. */
  async restart(env: Record<string, string>): Promise<WebhooksHarness> {
    await this.producer.disconnect();
    await this.app.close();
    return WebhooksHarness.launch(env, this.databaseUrl, this.ownsDatabase);
  }

  private static async launch(env: Record<string, string>, databaseUrl: string, ownsDatabase: boolean): Promise<WebhooksHarness> {
    const config = loadConfig(WebhooksConfigSchema, {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8,::1/128',
      WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms',
      WEBHOOK_RETRY_JITTER: '0',
      WEBHOOK_TIMEOUT: '1s',
      WEBHOOK_JOB_LOCK: '5s',
      ...env,
    });
    const kafka = testKafka('webhooks-int');
    await ensureTopics(kafka);
    const app = await NestFactory.createApplicationContext(WebhooksAppModule.forRoot(config, kafka), { logger: ['error'] });
    await app.init();
    const producer = new Kafka({ clientId: 'webhooks-int-producer', brokers: KAFKA_BROKERS, logLevel: 0 }).producer();
    await producer.connect();
    return new WebhooksHarness(app, app.get(DataSource), producer, databaseUrl, ownsDatabase);
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  /** An endpoint of `ctx` on its own path of `receiver`, which verifies its secret. */
  async endpointOn(receiver: WebhookReceiver, ctx: RequestContext, events: string[] = ['list.member_added']) {
    const path = `/${randomBytes(6).toString('hex')}`;
    const created = await this.get(EndpointsService).create(ctx, { url: receiver.url(path), events });
    receiver.expectSecrets(path, [created.secret]);
    return { ...created, path };
  }

  /**
   * Waits until the fan-out consumes every partition: its group stable with
   * `members` members, then one event of a tenant without endpoints on each
   * partition of every event topic, and every partition's committed offset
   * at its end. A replica that joins makes the group rebalance, and a new
   * topic's partitions may answer "not the leader" for a while (kafkajs backs
   * off): events published meanwhile wait seconds — a test timing one
   * delivery against another starts after this.
   */
  async settled(members: number): Promise<void> {
    const group = serviceGroupId(FANOUT_CONSUMER);
    const admin = new Kafka({ clientId: 'webhooks-int-admin', brokers: KAFKA_BROKERS, logLevel: 0 }).admin();
    await admin.connect();
    try {
      const assigned = (m: { memberAssignment: Buffer }) => Object.keys(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).length > 0;
      await eventually(
        async () => (await admin.describeGroups([group])).groups[0],
        (g) => g?.state === 'Stable' && g.members.length === members && g.members.every(assigned),
        { timeoutMs: 30_000, stepMs: 100 },
      );
      const probe = JSON.stringify(domainEvent('list.member_added', newId('ten'), { list_id: 'lst_probe', contact_id: 'con_probe' }));
      const topics = [...ALL_EVENT_TOPICS];
      const topicMessages = [];
      for (const topic of topics) topicMessages.push({ topic, messages: (await admin.fetchTopicOffsets(topic)).map(({ partition }) => ({ partition, value: probe })) });
      // Each partition's offset past its probe: where the group's committed offset has to reach.
      const past = new Map((await this.producer.sendBatch({ topicMessages })).map((r) => [`${r.topicName}/${r.partition}`, BigInt(r.baseOffset!) + 1n]));
      await eventually(
        async () => admin.fetchOffsets({ groupId: group, topics }),
        (committed) => committed.every((t) => t.partitions.every((p) => BigInt(p.offset) >= past.get(`${t.topic}/${p.partition}`)!)),
        { timeoutMs: 30_000, stepMs: 100 },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Publishes a domain event on its topic, as another service's outbox relay would. */
  async publish<T extends EventType>(event: DomainEvent<T>): Promise<DomainEvent<T>> {
    await this.producer.send({ topic: EVENT_TOPIC_OF[event.type], messages: [{ key: event.tenant_id, value: JSON.stringify(event) }] });
    return event;
  }

  /** Publishes many events, one producer call per topic (load tests). */
  async publishAll(events: DomainEvent[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const e of events) {
      const topic = EVENT_TOPIC_OF[e.type];
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push({ key: e.tenant_id, value: JSON.stringify(e) });
    }
    await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    await this.app.close();
    if (!this.ownsDatabase) return; // a replica: the first instance cleans up
    const queue = new Queue(WEBHOOK_DELIVERY_QUEUE, { connection: bullConnection(REDIS_URL, 'cleanup'), prefix: WEBHOOK_QUEUE_PREFIX });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    (await queue.client).disconnect();
    await dropTestDatabase(this.databaseUrl);
  }
}

export function domainEvent<T extends EventType>(type: T, tenant_id: string, data: EventPayloads[T], mode: Mode = 'live'): DomainEvent<T> {
  return { id: newId('evt'), type, tenant_id, mode, occurred_at: new Date().toISOString(), version: EVENT_ENVELOPE_VERSION, data };
}
