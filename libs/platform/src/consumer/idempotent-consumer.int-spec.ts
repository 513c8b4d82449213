/**
 * The idempotent consumer on real Kafka and PostgreSQL: `EventConsumer`
 * delivers at least once and never drops an event whose handler fails;
 * `processOnce` turns redeliveries and concurrent duplicates into one effect.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EVENT_ENVELOPE_VERSION, EventTopics, type DomainEvent } from '@sigil/contracts';
import { createTestDatabase, dropTestDatabase, eventually, KAFKA_BROKERS, testKafka } from '@sigil/testing';
import { createDataSource, runMigrationsLocked } from '../database/database.module';
import { OutboxJson1765500000000 } from '../database/outbox-json.migration';
import { SharedTables1764100000000 } from '../database/shared-tables.migration';
import { ensureTopics } from '../kafka/topic-admin';
import { newId } from '../ids';
import { currentContext } from '../logging/request-context';
import { EventConsumer } from './event-consumer';
import { processOnce } from './processed-events';

const kafka = testKafka('consumer-test');
const TOPIC = EventTopics.contacts;

let databaseUrl: string;
let dataSource: DataSource;
let producer: Producer;
const consumers: EventConsumer[] = [];

function envelope(tenantId: string, key: string): DomainEvent<'contact.deleted'> {
  return {
    id: newId('evt'),
    type: 'contact.deleted',
    tenant_id: tenantId,
    mode: 'live',
    occurred_at: new Date().toISOString(),
    version: EVENT_ENVELOPE_VERSION,
    data: { id: key, version: 1 },
  };
}

async function produce(...events: DomainEvent[]): Promise<void> {
  await producer.send({ topic: TOPIC, acks: -1, messages: events.map((e) => ({ key: e.data && (e.data as { id: string }).id, value: JSON.stringify(e) })) });
}

/** A consumer group of its own (fresh name), started and registered for cleanup. */
async function startConsumer(handler: (event: DomainEvent) => Promise<void>, group = `consumer-test.${randomBytes(3).toString('hex')}`): Promise<string> {
  const consumer = new EventConsumer({ kafka, group, topics: [TOPIC], fromBeginning: true }, handler);
  await consumer.start();
  consumers.push(consumer);
  return group;
}

async function stopConsumer(index: number): Promise<void> {
  const [consumer] = consumers.splice(index, 1);
  await consumer?.stop();
}

async function effectsOf(eventId: string): Promise<number> {
  const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM effects WHERE event_id = $1`, [eventId]);
  return row.n;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase('consumer');
  dataSource = createDataSource({
    url: databaseUrl,
    poolSize: 20,
    entities: [],
    migrations: [SharedTables1764100000000, OutboxJson1765500000000],
    service: 'consumer-test',
  });
  await dataSource.initialize();
  await runMigrationsLocked(dataSource, 'consumer-test');
  // The handlers' own effect: no unique constraint, so a duplicate effect would show as a second row.
  await dataSource.query(`CREATE TABLE effects (event_id text NOT NULL, consumer text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  await ensureTopics(kafka, [TOPIC]);
  producer = new Kafka({ clientId: 'consumer-test-producer', brokers: KAFKA_BROKERS, logLevel: 0 }).producer();
  await producer.connect();
});

afterAll(async () => {
  for (const c of consumers) await c.stop();
  await producer?.disconnect();
  await dataSource?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

describe('idempotent consumer', () => {
  it('handles an event delivered twice only once', async () => {
    const tenant = `ten_${randomBytes(6).toString('hex')}`;
    const event = envelope(tenant, 'con_D1');
    const outcomes: boolean[] = [];
    const group = await startConsumer(async (e) => {
      if (e.tenant_id !== tenant) return;
      outcomes.push(
        await processOnce(dataSource, group, e.id, async (manager) => {
          await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, $2)`, [e.id, group]);
        }),
      );
    });
    // The same envelope twice, as a relay retry would produce it, plus a later one.
    const later = envelope(tenant, 'con_D1');
    await produce(event);
    await produce(event, later);

    await eventually(
      () => outcomes,
      (o) => o.length === 3,
      30_000,
    ); // three deliveries
    expect(outcomes).toEqual([true, false, true]);
    expect(await effectsOf(event.id)).toBe(1);
    expect(await effectsOf(later.id)).toBe(1);
  });

  it('retries a failing handler until it succeeds, without losing the event or the ones after it', async () => {
    const tenant = `ten_${randomBytes(6).toString('hex')}`;
    const failing = envelope(tenant, 'con_F1');
    const next = envelope(tenant, 'con_F1');
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const group = await startConsumer(async (e) => {
      if (e.tenant_id !== tenant) return;
      const n = (attempts.get(e.id) ?? 0) + 1;
      attempts.set(e.id, n);
      await processOnce(dataSource, group, e.id, async (manager) => {
        await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, $2)`, [e.id, group]);
        // Fails after writing: the ledger row and the effect must roll back together.
        if (e.id === failing.id && n < 3) throw new Error(`transient failure ${n}`);
      });
      handled.push(e.id);
    });
    await produce(failing, next);

    await eventually(
      () => handled,
      (h) => h.length === 2,
      30_000,
    ); // both events handled
    expect(attempts.get(failing.id)).toBe(3);
    expect(handled).toEqual([failing.id, next.id]);
    expect(await effectsOf(failing.id)).toBe(1);
    expect(await effectsOf(next.id)).toBe(1);
  });

  it('leaves an event that is still failing at shutdown to the next consumer of the group', async () => {
    const tenant = `ten_${randomBytes(6).toString('hex')}`;
    const event = envelope(tenant, 'con_H1');
    let failures = 0;
    const group = await startConsumer(async (e) => {
      if (e.tenant_id !== tenant) return;
      failures++;
      throw new Error('downstream is down');
    });
    await produce(event);
    await eventually(
      () => failures,
      (n) => n >= 2,
      30_000,
    ); // the first consumer failed twice
    await stopConsumer(consumers.length - 1);

    const handled: string[] = [];
    await startConsumer(async (e) => {
      if (e.tenant_id !== tenant) return;
      await processOnce(dataSource, group, e.id, async (manager) => {
        await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, $2)`, [e.id, group]);
      });
      handled.push(e.id);
    }, group);
    await eventually(
      () => handled,
      (h) => h.length > 0,
      30_000,
    ); // the replacement consumer handled the event
    expect(handled).toEqual([event.id]);
    expect(await effectsOf(event.id)).toBe(1);
  });

  it('commits what it handled when it stops, so the next consumer of the group starts after it', async () => {
    const tenant = `ten_${randomBytes(6).toString('hex')}`;
    const first = [envelope(tenant, 'con_S1'), envelope(tenant, 'con_S2'), envelope(tenant, 'con_S3')];
    const seen: string[] = [];
    const group = await startConsumer(async (e) => {
      if (e.tenant_id === tenant) seen.push(e.id);
    });
    await produce(...first);
    await eventually(
      () => seen.length,
      (n) => n === first.length,
      30_000,
    );
    // Offsets are committed every half second; stopping must not wait for (or lose) the next commit.
    await stopConsumer(consumers.length - 1);

    const later = envelope(tenant, 'con_S4');
    const seenAfter: string[] = [];
    await startConsumer(async (e) => {
      if (e.tenant_id === tenant) seenAfter.push(e.id);
    }, group);
    await produce(later);
    await eventually(
      () => seenAfter,
      (s) => s.includes(later.id),
      30_000,
    );
    expect(seenAfter).toEqual([later.id]);
  });

  it('keeps one effect when the same event is processed concurrently', async () => {
    const eventId = newId('evt');
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        processOnce(dataSource, 'concurrent-test', eventId, async (manager) => {
          await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, 'concurrent-test')`, [eventId]);
          await new Promise((r) => setTimeout(r, 20));
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await effectsOf(eventId)).toBe(1);
  });

  it('lets another attempt process an event whose first processing failed', async () => {
    const eventId = newId('evt');
    await expect(
      processOnce(dataSource, 'rollback-test', eventId, async (manager) => {
        await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, 'rollback-test')`, [eventId]);
        throw new Error('crash halfway');
      }),
    ).rejects.toThrow('crash halfway');
    expect(await effectsOf(eventId)).toBe(0);
    const second = await processOnce(dataSource, 'rollback-test', eventId, async (manager) => {
      await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, 'rollback-test')`, [eventId]);
    });
    expect(second).toBe(true);
    expect(await effectsOf(eventId)).toBe(1);
  });

  it('processes an event once per consumer, not once overall', async () => {
    const eventId = newId('evt');
    const effect = (consumer: string) =>
      processOnce(dataSource, consumer, eventId, async (manager) => {
        await manager.query(`INSERT INTO effects (event_id, consumer) VALUES ($1, $2)`, [eventId, consumer]);
      });
    expect(await effect('segments.read-model')).toBe(true);
    expect(await effect('webhooks.intake')).toBe(true);
    expect(await effect('segments.read-model')).toBe(false);
    expect(await effectsOf(eventId)).toBe(2);
  });

  it('passes over, unparsed, the messages whose event-type header names an ignored type, and handles the rest', async () => {
    const tenant = newId('ten');
    const ignored = { ...envelope(tenant, newId('con')), type: 'contact.created' } as unknown as DomainEvent;
    const kept = envelope(tenant, newId('con'));
    const seen: string[] = [];
    const group = `consumer-test.${randomBytes(3).toString('hex')}`;
    const consumer = EventConsumer.batched({ kafka, group, topics: [TOPIC], fromBeginning: true, ignoreTypes: new Set(['contact.created']) }, async (events) => {
      for (const e of events) if (e.tenant_id === tenant) seen.push(e.id);
    });
    await consumer.start();
    consumers.push(consumer);
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: [ignored, kept].map((e) => ({ key: tenant, value: JSON.stringify(e), headers: { 'event-type': e.type } })),
    });
    await eventually(() => seen.length > 0);
    expect(seen).toEqual([kept.id]);
    // The ignored event came first on the same partition (one key): it was passed over, not retried or lost in a stall.
    expect(seen).not.toContain(ignored.id);
  });

  it('keeps its group membership through a handler slower than the session timeout: no rebalance, no second delivery', async () => {
    const tenant = newId('ten');
    const slow = envelope(tenant, newId('con'));
    const calls: string[] = [];
    const group = `consumer-test.${randomBytes(3).toString('hex')}`;
    const consumer = EventConsumer.batched({ kafka, group, topics: [TOPIC], fromBeginning: true }, async (events) => {
      const mine = events.filter((e) => e.tenant_id === tenant);
      if (!mine.length) return;
      calls.push(...mine.map((e) => e.id));
      // The first call outlasts the 10-s session timeout (kafka.config.ts), as a fan-out stuck on a lock would.
      if (calls.length === mine.length) await new Promise((r) => setTimeout(r, 13_000));
    });
    await consumer.start();
    consumers.push(consumer);
    await produce(slow);
    await eventually(
      () => calls.length,
      (n) => n >= 1,
      30_000,
    );
    // Had the member been removed at 10 s, its commit was refused and the rejoined group fetched the event again.
    await new Promise((r) => setTimeout(r, 13_000 + 12_000));
    expect(calls).toEqual([slow.id]);
  }, 90_000);

  it("runs a handler in the event's log context by default, and outside any with ambientContext false", async () => {
    const tenant = newId('ten');
    const events = [envelope(tenant, newId('con')), envelope(tenant, newId('con'))];
    const seen = new Map<string, unknown>();
    for (const [i, ambientContext] of [true, false].entries()) {
      const group = `consumer-test.${randomBytes(3).toString('hex')}`;
      const consumer = new EventConsumer({ kafka, group, topics: [TOPIC], fromBeginning: true, ambientContext }, async (event) => {
        if (event.id === events[i]!.id) seen.set(event.id, currentContext() ?? null);
      });
      await consumer.start();
      consumers.push(consumer);
    }
    await produce(...events);
    await eventually(() => seen.size === 2);
    expect(seen.get(events[0]!.id)).toMatchObject({ event_id: events[0]!.id, tenant_id: tenant });
    expect(seen.get(events[1]!.id)).toBeNull();
  });
});
