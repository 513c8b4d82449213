/**
 * Segments at scale, through the gateway, in a tenant of `BENCH_SEGMENTS_COUNT`
 * contacts (default 1 000 000; `--quick`: 20 000) seeded straight into the
 * segments read model (`env.segmentsDatabaseUrl` or
 * `BENCH_SEGMENTS_DATABASE_URL`; without it, only contacts created through
 * the API are measured and the table says so):
 * - full backfill time of a new 3-condition segment (created → `ready`);
 * - `GET /v1/segments/:id/count` of that segment (target ≤ 300 ms);
 * - `POST /v1/segments/preview` of the same rules (evaluated live);
 * - end-to-end delay from a contact update at the gateway (tag added) to its
 *   `segment.contact_entered` on Kafka, at `BENCH_SEGMENTS_UPDATE_RATE`
 *   updates/s (default 500; target p99 ≤ 1 s).
 */
import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { EventTopics, KAFKA_NAMESPACE, type DomainEvent } from '@sigil/contracts';
import { contactInput, KAFKA_BROKERS, type ApiClient } from '@sigil/testing';
import { round } from '../load';
import type { BenchEnv, BenchRow } from '../scenario';

const RULES = {
  and: [
    { custom_field: 'ltv', op: 'gte', value: 500 },
    { tag: 'vip', op: 'has' },
    { attribute: 'email', op: 'ends_with', value: '@example.com' },
  ],
};

export async function run(env: BenchEnv & { segmentsDatabaseUrl?: string }): Promise<BenchRow[]> {
  const quick = env.quick ?? false;
  const target = quick ? 20000 : Number(process.env['BENCH_SEGMENTS_COUNT'] ?? 1000000);
  const samples = quick ? 10 : Number(process.env['BENCH_SEGMENTS_SAMPLES'] ?? 30);
  const rate = Number(process.env['BENCH_SEGMENTS_UPDATE_RATE'] ?? 500);
  const seconds = quick ? 3 : Number(process.env['BENCH_SEGMENTS_UPDATE_SECONDS'] ?? 10);
  const api = env.api;
  const rows: BenchRow[] = [];

  const me = await api.get('/v1/me');
  const tenantId: string | undefined = me.body?.data?.tenant?.id;
  if (!tenantId) throw new Error(`GET /v1/me did not name the tenant: ${me.status}`);
  const databaseUrl = env.segmentsDatabaseUrl ?? process.env['BENCH_SEGMENTS_DATABASE_URL'];
  let size = 0;
  if (databaseUrl) {
    const started = Date.now();
    size = await seedReadModel(databaseUrl, tenantId, target);
    rows.push({ benchmark: 'seed the read model (SQL, not through the API)', contacts: size, 'p50 ms': '–', 'p99 ms': '–', result: `${round((Date.now() - started) / 1000, 1)} s` });
  }
  const sizeNote = size < target ? ` (target ${target}: set BENCH_SEGMENTS_DATABASE_URL to seed)` : '';

  // 1. Backfill of a new segment.
  const started = Date.now();
  const created = await api.post('/v1/segments', { name: 'bench: 3 conditions', rules: RULES });
  if (created.status !== 201) throw new Error(`creating the segment answered ${created.status}: ${JSON.stringify(created.body)}`);
  const segmentId: string = created.body.data.id;
  while ((await api.get(`/v1/segments/${segmentId}`)).body.data.status !== 'ready') await sleep(200);
  rows.push({ benchmark: `backfill of a 3-condition segment${sizeNote}`, contacts: size, 'p50 ms': '–', 'p99 ms': '–', result: `${round((Date.now() - started) / 1000, 1)} s` });

  // 2. Count and preview latencies (one after another: latency, not saturation).
  const count = await latencies(samples, () => api.get(`/v1/segments/${segmentId}/count`));
  rows.push({ benchmark: '`GET /v1/segments/:id/count` (3 conditions)', contacts: size, 'p50 ms': count.p50, 'p99 ms': count.p99, result: `${count.last?.body?.data?.count} members; target ≤ 300 ms` });
  const preview = await latencies(samples, () => api.post('/v1/segments/preview', { rules: RULES, limit: 10 }));
  rows.push({ benchmark: '`POST /v1/segments/preview` (3 conditions, live evaluation)', contacts: size, 'p50 ms': preview.p50, 'p99 ms': preview.p99, result: `count ${preview.last?.body?.data?.count}` });

  // 3. Update at the gateway → segment.contact_entered on Kafka.
  rows.push(await updateToEnteredDelay(api, rate, seconds));
  return rows;
}

async function seedReadModel(databaseUrl: string, tenantId: string, count: number): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const prefix = `con_BENCH${randomBytes(4).toString('hex').toUpperCase()}`;
    for (let from = 1; from <= count; from += 100000) {
      const to = Math.min(count, from + 99999);
      await db.query(
        `INSERT INTO contacts (tenant_id, mode, id, email, first_name, tags, custom_fields, created_at, updated_at, version)
         SELECT $1, 'live', $2 || lpad(g::text, 26 - length($2) + 4, '0'),
                'user' || g || CASE WHEN g % 3 = 0 THEN '@example.com' ELSE '@example.org' END, 'Name' || g,
                CASE WHEN g % 5 = 0 THEN ARRAY['vip'] ELSE ARRAY['news'] END,
                jsonb_build_object('ltv', g % 1000, 'plan', (ARRAY['free','pro','team'])[1 + g % 3]),
                now() - (g % 365) * interval '1 day', now(), 1
           FROM generate_series($3::int, $4::int) g`,
        [tenantId, prefix, from, to],
      );
    }
    await db.query('ANALYZE contacts');
    return count;
  } finally {
    await db.end();
  }
}

async function updateToEnteredDelay(api: ApiClient, rate: number, seconds: number): Promise<BenchRow> {
  const segment = await api.post('/v1/segments', { name: 'bench: hot', rules: { tag: 'hot', op: 'has' } });
  const segmentId: string = segment.body.data.id;
  while ((await api.get(`/v1/segments/${segmentId}`)).body.data.status !== 'ready') await sleep(100);
  const total = rate * seconds;
  const ids: string[] = [];
  for (let i = 0; i < total; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, total - i) }, () => contactInput());
    const res = await api.post('/v1/contacts/batch', { contacts: batch });
    for (const r of res.body?.data?.results ?? []) if (r.id) ids.push(r.id);
  }
  await sleep(3000); // let the read model take the new contacts in

  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  const consumer = new Kafka({ clientId: 'bench-segments', brokers: KAFKA_BROKERS, logLevel: 0 }).consumer({
    groupId: `${KAFKA_NAMESPACE}.bench.${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [EventTopics.segments], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as DomainEvent;
      const data = event.data as { segment_id?: string; contact_id?: string };
      const sent = data.contact_id && sentAt.get(data.contact_id);
      if (event.type === 'segment.contact_entered' && data.segment_id === segmentId && sent) delays.push(Date.now() - sent);
    },
  });
  await sleep(2000); // partitions assigned

  let rejected = 0;
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < ids.length; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const id = ids[i]!;
    sentAt.set(id, Date.now());
    inFlight.push(api.post(`/v1/contacts/${id}/tags`, { tags: ['hot'] }).then((r) => r.status >= 300 && rejected++));
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + 15000;
  while (delays.length < ids.length - rejected && Date.now() < deadline) await sleep(100);
  await consumer.disconnect();
  delays.sort((a, b) => a - b);
  return {
    benchmark: 'contact update at the gateway → `segment.contact_entered` on Kafka',
    contacts: ids.length,
    'p50 ms': pct(delays, 50),
    'p99 ms': pct(delays, 99),
    result: `${delays.length}/${ids.length} entered at ${rate}/s for ${seconds} s, ${rejected} updates rejected (e.g. 429); target p99 ≤ 1 s`,
  };
}

interface Answer {
  status: number;
  body: { data?: { count?: number } };
}

async function latencies(n: number, call: () => Promise<Answer>) {
  const values: number[] = [];
  let last: Answer | undefined;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await call();
    values.push(performance.now() - t);
  }
  values.sort((a, b) => a - b);
  return { p50: pct(values, 50), p99: pct(values, 99), last };
}

function pct(sorted: number[], p: number): number | string {
  if (!sorted.length) return '–';
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!, 1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
