/**
 * The segments service wired as in production (its Nest module, real Kafka
 * and PostgreSQL): contact events published on the contacts topic — in
 * order, reordered, redelivered — turn into `segment.contact_entered` /
 * `segment.contact_exited` on the segments topic, exactly once per change.
 */
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Kafka, type Producer } from 'kafkajs';
import { EventTopics, type DomainEvent } from '@sigil/contracts';
import { ensureTopics, loadConfig } from '@sigil/platform';
import { contactSnapshot, createTestDatabase, domainEvent, dropTestDatabase, EventSpy, KAFKA_BROKERS, nextVersion, testContext, testKafka } from '@sigil/testing';
import { SegmentsAppModule } from '../app.module';
import { SegmentsConfigSchema } from '../config';
import { SegmentsService } from '../segments/segments.service';

let url: string;
let app: INestApplicationContext;
let spy: EventSpy;
let producer: Producer;

beforeAll(async () => {
  url = await createTestDatabase('segments');
  const kafka = testKafka('segments-int');
  await ensureTopics(kafka);
  const config = loadConfig(SegmentsConfigSchema, { DATABASE_URL: url, SEGMENTS_BUILD_POLL_MS: '50', KAFKA_TOPIC_PARTITIONS: '3' });
  app = await NestFactory.createApplicationContext(SegmentsAppModule.forRoot(config, kafka), { logger: ['error'] });
  spy = await EventSpy.start([EventTopics.segments]);
  producer = new Kafka({ clientId: 'segments-int-producer', brokers: KAFKA_BROKERS, logLevel: 0 }).producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await spy?.stop();
  await app?.close();
  if (url) await dropTestDatabase(url);
});

async function publish(...events: DomainEvent[]): Promise<void> {
  for (const event of events) {
    const key = 'contact' in (event.data as object) ? (event.data as { contact: { id: string } }).contact.id : (event.data as { id: string }).id;
    await producer.send({ topic: EventTopics.contacts, messages: [{ key, value: JSON.stringify(event) }] });
  }
}

it('turns contact events into entered/exited events once per change, whatever the delivery order', async () => {
  const ctx = testContext();
  const segments = app.get(SegmentsService);
  const segment = await segments.create(ctx, { name: 'VIP', rules: { tag: 'vip', op: 'has' } });
  for (let i = 0; i < 200 && (await segments.get(ctx, segment.id)).status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));

  const v1 = contactSnapshot({ tags: ['vip'] });
  const v2 = nextVersion(v1, { tags: ['vip', 'x'] });
  const v3 = nextVersion(v2, { tags: [] });
  const v4 = nextVersion(v3, { tags: ['vip'] });
  const created = domainEvent('contact.created', ctx, { contact: v1 });
  await publish(created);
  await publish(
    domainEvent('contact.tags_changed', ctx, { contact: v3, added: [], removed: ['vip', 'x'] }),
    domainEvent('contact.tags_changed', ctx, { contact: v2, added: ['x'], removed: [] }), // late: older than v3
    created, // redelivered
    domainEvent('contact.tags_changed', ctx, { contact: v4, added: ['vip'], removed: [] }),
  );

  const ofContact = (e: DomainEvent) => (e.data as { contact_id?: string }).contact_id === v1.id;
  await spy.waitFor((e) => ofContact(e) && spy.matching(ofContact).length >= 3, 30000);
  // Same key, same partition: by the time v4's entry is out, everything before it was processed.
  expect(spy.matching(ofContact).map((e) => e.type)).toEqual(['segment.contact_entered', 'segment.contact_exited', 'segment.contact_entered']);
  expect(spy.matching(ofContact).every((e) => e.tenant_id === ctx.tenant_id && (e.data as { segment_id: string }).segment_id === segment.id)).toBe(true);
});
