/**
 * The transactional outbox on real PostgreSQL and Kafka: an event reaches
 * Kafka if and only if its transaction committed, at least once, in order per
 * key, whatever the relays do (restart, run side by side).
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventTopics, KafkaHeaderNames, type DomainEvent } from '@sigil/contracts';
import { createTestDatabase, dropTestDatabase, eventually, EventSpy, pollUntil, testKafka } from '@sigil/testing';
import { createDataSource, runMigrationsLocked } from '../database/database.module';
import { OutboxJson1765500000000 } from '../database/outbox-json.migration';
import { SharedTables1764100000000 } from '../database/shared-tables.migration';
import { ensureTopics } from '../kafka/topic-admin';
import { runWithContext } from '../logging/request-context';
import { OutboxRelay } from './outbox.relay';
import { OutboxWriter, type NewEvent } from './outbox.writer';

const kafka = testKafka('outbox-test');
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const writer = new OutboxWriter();

let databaseUrl: string;
let dataSource: DataSource;
let spy: EventSpy;
const relays: OutboxRelay[] = [];

async function startRelay(lingerMs?: number): Promise<OutboxRelay> {
  const relay = new OutboxRelay(dataSource, { kafka, databaseUrl, pollIntervalMs: 200, batchSize: 50, ...(lingerMs === undefined ? {} : { lingerMs }) });
  await relay.onApplicationBootstrap();
  relays.push(relay);
  return relay;
}

async function stopRelay(relay: OutboxRelay): Promise<void> {
  await relay.onApplicationShutdown();
  relays.splice(relays.indexOf(relay), 1);
}

/** A `contact.deleted` event: small payload, `version` numbers events of one key. */
function deleted(tenantId: string, key: string, version = 1): NewEvent<'contact.deleted'> {
  return { type: 'contact.deleted', tenant_id: tenantId, mode: 'live', key, data: { id: key, version } };
}

function freshTenant(): string {
  return `ten_${randomBytes(6).toString('hex')}`;
}

async function commit(events: NewEvent[]): Promise<DomainEvent[]> {
  return dataSource.transaction((manager) => writer.append(manager, events));
}

async function pendingRows(tenantId: string): Promise<number> {
  const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE envelope->>'tenant_id' = $1`, [tenantId]);
  return row.n;
}

/** Waits until every id reached Kafka; fails with the ids that did not. */
async function waitForIds(ids: string[], timeoutMs = 30000): Promise<void> {
  const missing = () => {
    const seen = new Set(spy.events.map((e) => e.id));
    return ids.filter((id) => !seen.has(id));
  };
  await eventually(missing, (m) => m.length === 0, timeoutMs);
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase('outbox');
  dataSource = createDataSource({
    url: databaseUrl,
    poolSize: 10,
    entities: [],
    migrations: [SharedTables1764100000000, OutboxJson1765500000000],
    service: 'outbox-test',
  });
  await dataSource.initialize();
  await runMigrationsLocked(dataSource, 'outbox-test');
  await ensureTopics(kafka, [EventTopics.contacts]);
  spy = await EventSpy.start([EventTopics.contacts]);
  await startRelay();
});

afterAll(async () => {
  for (const relay of [...relays]) await stopRelay(relay);
  await spy?.stop();
  await dataSource?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

describe('outbox relay', () => {
  it('relays a committed event to its topic, keyed by aggregate id, with the request id in the headers', async () => {
    const tenant = freshTenant();
    const [event] = await runWithContext({ request_id: 'req_outbox_1', trace_id: TRACEPARENT }, () => commit([deleted(tenant, 'con_A')]));

    const received = await spy.waitFor((e) => e.id === event!.id);
    expect(received).toEqual({
      id: event!.id,
      type: 'contact.deleted',
      tenant_id: tenant,
      mode: 'live',
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      version: 1,
      data: { id: 'con_A', version: 1 },
    });
    expect(received.id).toMatch(/^evt_/);
    const record = spy.records.find((r) => r.event.id === event!.id)!;
    expect(record.topic).toBe(EventTopics.contacts);
    expect(record.key).toBe('con_A');
    expect(record.headers).toMatchObject({
      [KafkaHeaderNames.requestId]: 'req_outbox_1',
      [KafkaHeaderNames.traceparent]: TRACEPARENT,
      [KafkaHeaderNames.eventType]: 'contact.deleted',
    });
    // Relayed rows leave the outbox.
    expect(
      await pollUntil(
        () => pendingRows(tenant),
        (n) => n === 0,
        10_000,
      ),
    ).toBe(0);
  });

  it('never relays events of a transaction that rolled back', async () => {
    const tenant = freshTenant();
    let rolledBack: DomainEvent[] = [];
    await expect(
      dataSource.transaction(async (manager) => {
        rolledBack = await writer.append(manager, [deleted(tenant, 'con_R1'), deleted(tenant, 'con_R2')]);
        throw new Error('the change failed after the events were appended');
      }),
    ).rejects.toThrow('the change failed');
    expect(rolledBack).toHaveLength(2);
    expect(await pendingRows(tenant)).toBe(0);

    // Events committed afterwards, on the same keys, arrive; the rolled-back ones never do.
    const after = await commit([deleted(tenant, 'con_R1', 2), deleted(tenant, 'con_R2', 2)]);
    await waitForIds(after.map((e) => e.id));
    const ids = new Set(rolledBack.map((e) => e.id));
    expect(spy.events.filter((e) => ids.has(e.id))).toEqual([]);
    expect(
      spy.events
        .filter((e) => e.tenant_id === tenant)
        .map((e) => e.id)
        .sort(),
    ).toEqual(after.map((e) => e.id).sort());
  });

  it('keeps events written while no relay runs, and relays them when one starts again', async () => {
    const tenant = freshTenant();
    await stopRelay(relays[0]!);
    const written = [];
    for (let i = 1; i <= 20; i++) written.push(...(await commit([deleted(tenant, `con_P${i % 4}`, i)])));
    expect(await pendingRows(tenant)).toBe(20);
    expect(spy.events.filter((e) => e.tenant_id === tenant)).toEqual([]);

    await startRelay();
    await waitForIds(written.map((e) => e.id));
    const delivered = spy.events.filter((e) => e.tenant_id === tenant);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(20);
    // The relay deletes its rows once the send is acknowledged: the spy may see the events first.
    expect(
      await pollUntil(
        () => pendingRows(tenant),
        (n) => n === 0,
        10_000,
      ),
    ).toBe(0);
  });

  it('relays the events of one key in the order they were committed', async () => {
    const tenant = freshTenant();
    const keys = ['con_O1', 'con_O2', 'con_O3'];
    const written: DomainEvent[] = [];
    // Interleaved keys, some transactions with several events, committed one after another.
    for (let v = 1; v <= 30; v++) {
      written.push(...(await commit(keys.map((k) => deleted(tenant, k, v)))));
      if (v % 3 === 0) written.push(...(await commit([deleted(tenant, 'con_O1', 100 + v), deleted(tenant, 'con_O1', 200 + v)])));
    }
    await waitForIds(written.map((e) => e.id));
    for (const key of keys) {
      const expected = written.filter((e) => (e.data as { id: string }).id === key).map((e) => e.id);
      const seen = spy.records.filter((r) => r.event.tenant_id === tenant && r.key === key).map((r) => r.event.id);
      expect(seen).toEqual(expected);
      expect(new Set(spy.records.filter((r) => r.event.tenant_id === tenant && r.key === key).map((r) => r.partition)).size).toBe(1);
    }
  });

  it('keeps the order of one key when two relays share the database', async () => {
    const tenant = freshTenant();
    const second = await startRelay();
    const keys = Array.from({ length: 8 }, (_, i) => `con_T${i}`);
    // One chain of commits per key (each waits for the previous), the chains running concurrently.
    const chains = await Promise.all(
      keys.map(async (key) => {
        const chain: DomainEvent[] = [];
        for (let v = 1; v <= 40; v++) chain.push(...(await commit([deleted(tenant, key, v)])));
        return chain;
      }),
    );
    try {
      await waitForIds(chains.flat().map((e) => e.id));
      for (const [i, key] of keys.entries()) {
        const seen = spy.records.filter((r) => r.event.tenant_id === tenant && r.key === key).map((r) => r.event.id);
        expect(seen).toEqual(chains[i]!.map((e) => e.id));
      }
    } finally {
      await stopRelay(second);
    }
  });

  it('loses nothing and relays each row once when two relays share the database', async () => {
    const tenant = freshTenant();
    const second = await startRelay();
    const first = relays[0]!;
    const before = first.relayed + second.relayed;
    const relayedSince = () => first.relayed + second.relayed - before;
    try {
      const written = (await Promise.all(Array.from({ length: 40 }, (_, t) => commit(Array.from({ length: 5 }, (_, i) => deleted(tenant, `con_S${t}`, i + 1)))))).flat();
      expect(written).toHaveLength(200);

      await waitForIds(written.map((e) => e.id));
      expect(
        await pollUntil(
          () => pendingRows(tenant),
          (n) => n === 0,
          10_000,
        ),
      ).toBe(0);
      // The relays count what they sent once a drain ends; a row sent by both would push the sum past 200.
      expect(await pollUntil(relayedSince, (n) => n >= 200, 10_000)).toBe(200);
      const ids = spy.events.filter((e) => e.tenant_id === tenant).map((e) => e.id);
      expect(new Set(ids).size).toBe(200);
    } finally {
      await stopRelay(second);
    }
  });
  it('relays on after its connection is killed: the turn is taken again (by either relay) and nothing is lost', async () => {
    const tenant = freshTenant();
    const second = await startRelay();
    try {
      const before = await commit([deleted(tenant, 'con_K1', 1)]);
      await waitForIds(before.map((e) => e.id));
      // The relaying sessions (the lock holder and the standby), not the test's pool nor the LISTEN connections.
      const [{ n }]: [{ n: number }] = await dataSource.query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND (query LIKE 'SELECT seq, topic%' OR query LIKE 'DELETE FROM outbox_events%' OR query LIKE '%pg_try_advisory_lock%')`,
      );
      expect(n).toBeGreaterThan(0);
      const after = await commit([deleted(tenant, 'con_K1', 2), deleted(tenant, 'con_K2', 1)]);
      await waitForIds(after.map((e) => e.id));
      expect(
        await pollUntil(
          () => pendingRows(tenant),
          (left) => left === 0,
          10_000,
        ),
      ).toBe(0);
      const seen = spy.records.filter((r) => r.event.tenant_id === tenant && r.key === 'con_K1').map((r) => r.event.id);
      expect(seen.indexOf(before[0]!.id)).toBeLessThan(seen.indexOf(after[0]!.id));
    } finally {
      await stopRelay(second);
    }
  });

  it('hands the turn to a standby relay when the relaying one stops', async () => {
    const tenant = freshTenant();
    const active = relays[0]!;
    const activeBefore = active.relayed;
    const first = await commit([deleted(tenant, 'con_H1', 1)]);
    await waitForIds(first.map((e) => e.id));
    // It relayed that event, so it holds the turn (and keeps it): a relay started now stands by.
    expect(
      await pollUntil(
        () => active.relayed - activeBefore,
        (n) => n >= 1,
        10_000,
      ),
    ).toBeGreaterThanOrEqual(1);
    const standby = await startRelay();
    const standbyBefore = standby.relayed;
    await stopRelay(active);
    const written = await commit([deleted(tenant, 'con_H1', 2), deleted(tenant, 'con_H2', 1)]);
    await waitForIds(written.map((e) => e.id));
    expect(
      await pollUntil(
        () => standby.relayed - standbyBefore,
        (n) => n >= 2,
        10_000,
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await pollUntil(
        () => pendingRows(tenant),
        (left) => left === 0,
        10_000,
      ),
    ).toBe(0);
  });

  it('drains a commit after a quiet spell at once, and one right after a drain only once the linger since that drain has passed', async () => {
    // Only this relay relays meanwhile, with a linger far above a drain's time.
    for (const r of [...relays]) await stopRelay(r);
    const lingerMs = 4000;
    const relay = await startRelay(lingerMs);
    try {
      const tenant = freshTenant();
      await new Promise((r) => setTimeout(r, lingerMs)); // quiet: its start-up drain is more than a linger ago
      const t0 = Date.now();
      const [quiet] = await commit([deleted(tenant, 'con_L1', 1)]);
      await waitForIds([quiet!.id]);
      const quietMs = Date.now() - t0;
      expect(quietMs).toBeLessThan(lingerMs - 1000);
      const [next] = await commit([deleted(tenant, 'con_L1', 2)]);
      await waitForIds([next!.id]);
      // It waited for the rest of the linger since the drain that carried the first (which ended before the spy saw it).
      expect(Date.now() - t0).toBeGreaterThanOrEqual(lingerMs - 500);
    } finally {
      await stopRelay(relay);
      await startRelay();
    }
  });
});
