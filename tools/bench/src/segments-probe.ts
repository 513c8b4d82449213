/**
 * A probe of the segments service alone, for work on its live path, its
 * builds and its export on a shared machine: CPU per operation read from
 * /proc (the segments process and the PostgreSQL backends of its database),
 * which does not depend on what else runs, rather than throughput.
 *
 *   npm run build && node dist/tools/bench/src/segments-probe.js [--count 100000] [--rate 500] [--seconds 20]
 *       [--only live|export|build] [--profile <dir>] [--chunk <SEGMENTS_BUILD_CHUNK_SIZE>]
 *       [--interval <SEGMENTS_APPLY_INTERVAL_MS>]
 *
 * Starts keys, segments and the gateway (no contacts service: contact events
 * are produced straight onto the contact topic, as the contacts relay would),
 * seeds `--count` contacts into the read model as the bench does, creates the
 * bench's 20 live segments (timing each build: CPU and WAL bytes), then:
 * - live: `contact.tags_changed` (tag `hot` added) for seeded contacts at
 *   `--rate`/s for `--seconds`; per update: CPU of the service and of its
 *   backends, transactions committed, outbox events, and the delay from the
 *   produce to the hot segment's `segment.contact_entered` on Kafka;
 * - export: a segment of every contact streamed through the gateway, NDJSON
 *   and CSV: rows/s and CPU per 1 000 rows (gateway, service, backends).
 * `--profile <dir>`: `node --cpu-prof` of the segments process and the
 * gateway (read with profile-summary.js … --last <seconds>).
 */
import { randomBytes } from 'node:crypto';

process.env['SIGIL_KAFKA_NAMESPACE'] = `probe${randomBytes(3).toString('hex')}`;
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

void main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

async function main(): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { loadavg } = await import('node:os');
  const { Kafka } = await import('kafkajs');
  const { Client } = await import('pg');
  const { EventTopics, KAFKA_NAMESPACE } = await import('@sigil/contracts');
  const { TestStack, createTenant, KAFKA_BROKERS } = await import('@sigil/testing');
  const { LIVE_SEGMENTS, seedReadModel, waitReady } = await import('./scenarios/segments.scenario');

  const count = Number(arg('count', '100000'));
  const rate = Number(arg('rate', '500'));
  const seconds = Number(arg('seconds', '20'));
  const only = arg('only', 'all');
  const profile = arg('profile', '');
  const chunk = arg('chunk', '');
  const interval = arg('interval', '');
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  const log = (msg: string) => process.stdout.write(`[probe ${new Date().toISOString().slice(11, 19)}] ${msg} (load ${load()})\n`);
  const ticks = (pid: number): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };

  const stack = await TestStack.start({
    services: ['keys', 'segments', 'gateway'],
    env: { KAFKA_TOPIC_PARTITIONS: '6' },
    serviceEnv: {
      gateway: { RATE_LIMIT_ENABLED: 'false', ...(profile ? { SIGIL_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profile}` } : {}) },
      segments: {
        ...(profile ? { SIGIL_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profile}` } : {}),
        ...(chunk ? { SEGMENTS_BUILD_CHUNK_SIZE: chunk } : {}),
        ...(interval ? { SEGMENTS_APPLY_INTERVAL_MS: interval } : {}),
      },
    },
  });
  const db = new Client({ connectionString: stack.databaseUrl('segments') });
  try {
    await db.connect();
    const dbName = new URL(stack.databaseUrl('segments')).pathname.slice(1);
    const segmentsPid = stack.get('segments').pid!;
    const gatewayPid = stack.get('gateway').pid!;
    /** CPU ms spent by the service, the gateway and the database's backends since `meter()` was called. */
    const meter = async () => {
      const backends = async () => (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [dbName])).rows.map((r) => r.pid);
      const pgBefore = new Map((await backends()).map((pid) => [pid, ticks(pid)]));
      const svc = ticks(segmentsPid);
      const gw = ticks(gatewayPid);
      const stats = async () =>
        (
          await db.query<{ xact_commit: string; tup_inserted: string; tup_updated: string; tup_deleted: string; wal: string }>(
            `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, pg_current_wal_lsn() - '0/0'::pg_lsn AS wal FROM pg_stat_database WHERE datname = $1`,
            [dbName],
          )
        ).rows[0]!;
      const s0 = await stats();
      return async () => {
        await new Promise((r) => setTimeout(r, 1100)); // statistics are flushed at most once a second
        let pg = 0;
        for (const pid of await backends()) pg += ticks(pid) - (pgBefore.get(pid) ?? 0);
        const s1 = await stats();
        const d = (k: keyof typeof s0) => Number(s1[k]) - Number(s0[k]);
        return {
          segmentsMs: (ticks(segmentsPid) - svc) * 10,
          gatewayMs: (ticks(gatewayPid) - gw) * 10,
          postgresMs: pg * 10,
          commits: d('xact_commit'),
          inserted: d('tup_inserted'),
          updated: d('tup_updated'),
          deleted: d('tup_deleted'),
          walBytes: d('wal'),
        };
      };
    };

    const tenant = await createTenant(stack.gatewayUrl);
    const api = tenant.api;
    const hot = await api.post('/v1/segments', { name: 'probe: hot', rules: { tag: 'hot', op: 'has' } });
    const hotId: string = hot.body.data.id;
    await waitReady(api, hotId, 60000);
    log(`seeding ${count} contacts`);
    await seedReadModel(stack.databaseUrl('segments'), tenant.tenantId, count);

    if (only === 'all' || only === 'build' || only === 'live') {
      let prev = hotId;
      for (const [i, rules] of LIVE_SEGMENTS.entries()) {
        const text = JSON.stringify(rules).replaceAll('$hot', hotId).replaceAll('$prev', prev);
        const stop = await meter();
        const t0 = Date.now();
        const res = await api.post('/v1/segments', { name: `probe: live ${i + 1}`, rules: JSON.parse(text) });
        if (res.status !== 201) throw new Error(`live segment ${i + 1}: ${res.status} ${JSON.stringify(res.body)}`);
        await waitReady(api, res.body.data.id, 30 * 60000);
        const ms = Date.now() - t0;
        const spent = await stop();
        const members = (await api.get(`/v1/segments/${res.body.data.id}/count`)).body?.data?.count;
        log(
          `build ${i + 1} ${text.slice(0, 90)}: ${ms} ms, ${members} members; CPU service ${spent.segmentsMs} ms, PG ${spent.postgresMs} ms; ` +
            `${spent.commits} commits, ${spent.inserted} ins, ${spent.updated} upd, ${spent.deleted} del, WAL ${Math.round(spent.walBytes / 1e6)} MB`,
        );
        if (text.includes('"segment"')) prev = res.body.data.id;
      }
    }

    if (only === 'all' || only === 'live') {
      const total = rate * seconds;
      const { rows: contacts } = await db.query(
        `SELECT id, email, first_name, last_name, phone, tags, custom_fields, created_at, updated_at, version FROM contacts
          WHERE tenant_id = $1 AND mode = 'live' ORDER BY id DESC LIMIT $2`,
        [tenant.tenantId, total],
      );
      const kafka = new Kafka({ clientId: 'segments-probe', brokers: KAFKA_BROKERS, logLevel: 0 });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const consumer = kafka.consumer({ groupId: `${KAFKA_NAMESPACE}.probe.${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 20 });
      const sentAt = new Map<string, number>();
      const delays: number[] = [];
      let segmentEvents = 0;
      await consumer.connect();
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.subscribe({ topics: [EventTopics.segments], fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ message }) => {
          segmentEvents++;
          const event = JSON.parse(message.value!.toString()) as { type: string; data: { segment_id?: string; contact_id?: string } };
          const sent = sentAt.get(event.data.contact_id ?? '');
          if (event.type === 'segment.contact_entered' && event.data.segment_id === hotId && sent) delays.push(Date.now() - sent);
        },
      });
      await joined;
      await new Promise((r) => setTimeout(r, 1500));
      log(`live: ${total} tags_changed at ${rate}/s`);
      const stop = await meter();
      const started = Date.now();
      const tick = 10; // ms: the contacts relay sends what accumulated, a few events at a time
      for (let i = 0; i < total;) {
        const due = started + (i * 1000) / rate;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const upTo = Math.min(total, Math.floor(((Date.now() - started + tick) * rate) / 1000));
        const messages = [];
        for (; i < Math.max(upTo, i + 1) && i < total; i++) {
          const c = contacts[i]!;
          const contact = {
            ...c,
            tags: [...c.tags, 'hot'],
            created_at: new Date(c.created_at).toISOString(),
            updated_at: new Date().toISOString(),
            version: c.version + 1,
            subscription_status: 'subscribed',
            suppressed: false,
          };
          const event = {
            id: `evt_${randomBytes(13).toString('hex').toUpperCase()}`,
            type: 'contact.tags_changed',
            tenant_id: tenant.tenantId,
            mode: 'live',
            occurred_at: new Date().toISOString(),
            version: 1,
            data: { contact, added: ['hot'], removed: [] },
          };
          sentAt.set(c.id, Date.now());
          messages.push({ key: c.id, value: JSON.stringify(event), headers: { 'sigil-event-type': 'contact.tags_changed' } });
        }
        await producer.send({ topic: EventTopics.contacts, messages });
      }
      const deadline = Date.now() + 60000;
      while (delays.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const wall = (Date.now() - started) / 1000;
      const spent = await stop();
      delays.sort((a, b) => a - b);
      const pct = (p: number) => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)];
      log(
        `live: ${delays.length}/${total} entered in ${wall.toFixed(1)} s; produce → entered p50 ${pct(50)} / p99 ${pct(99)} / max ${delays[delays.length - 1]} ms; ` +
          `per update: service ${(spent.segmentsMs / total).toFixed(3)} ms, PG ${(spent.postgresMs / total).toFixed(3)} ms CPU, ` +
          `${(spent.commits / total).toFixed(3)} commits, ${(spent.inserted / total).toFixed(1)} ins, ${(spent.updated / total).toFixed(1)} upd, ` +
          `${(spent.deleted / total).toFixed(1)} del, ${Math.round(spent.walBytes / total)} B WAL, ${(segmentEvents / total).toFixed(2)} segment events`,
      );
      await consumer.disconnect();
      await producer.disconnect();
    }

    if (only === 'all' || only === 'export') {
      const created = await api.post('/v1/segments', { name: 'probe: everyone', rules: { random_bucket: { percent: 100, salt: 'all' } } });
      await waitReady(api, created.body.data.id, 30 * 60000);
      for (const format of ['ndjson', 'csv'] as const) {
        const stop = await meter();
        const t0 = Date.now();
        const res = await fetch(`${api.baseUrl}/v1/segments/${created.body.data.id}/export?format=${format}`, { headers: api.defaultHeaders });
        let lines = 0;
        let bytes = 0;
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
        }
        const s = (Date.now() - t0) / 1000;
        const spent = await stop();
        const k = lines / 1000;
        log(
          `export ${format}: HTTP ${res.status}, ${lines} lines, ${Math.round(bytes / 1e6)} MB in ${s.toFixed(1)} s (${Math.round(lines / s)} rows/s); ` +
            `CPU per 1 000 rows: gateway ${(spent.gatewayMs / k).toFixed(2)} ms, service ${(spent.segmentsMs / k).toFixed(2)} ms, PG ${(spent.postgresMs / k).toFixed(2)} ms`,
        );
      }
    }
  } finally {
    await db.end().catch(() => undefined);
    await stack.close();
  }
  process.exit(0);
}
