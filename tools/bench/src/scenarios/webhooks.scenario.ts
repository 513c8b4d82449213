/**
 * Webhook delivery benchmarks, to a local receiver that verifies every
 * signature: sustained signed deliveries per second (contacts imported in
 * batches, fanned out to several endpoints), event → delivery latency at a
 * fixed event rate, and the same latency while another endpoint of the
 * tenant answers in 2 s (the per-endpoint concurrency cap keeps it from
 * starving the others); a `per_contact` endpoint at 200 events/s spread over
 * 1 000 contacts (every contact's deliveries in event order, and latency);
 * a 50/s `rate_limit_per_second` with a second webhooks replica working the
 * same queue (never more than 50 arrivals in any second). The latency rows
 * break their slow deliveries down by stage (`stagesOf`): before the
 * fan-out, fan-out → attempted, attempted → received.
 *
 * Last, the same latency before and while the retention purge deletes 10 M
 * old delivery rows (with their attempts and bodies), seeded straight into
 * the webhooks database with generate_series (SPEC §14: p99 up by ≤ 20 %).
 *
 * The stack's webhooks service must be allowed to reach 127.0.0.1 over http:
 * start it with `serviceEnv` below (as the e2e tests do).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { newId } from '@sigil/platform';
import { contactInput, createTenant, WebhookReceiver, type ApiClient, type ReceivedWebhook } from '@sigil/testing';
import type { BenchEnv, BenchRow } from '../scenario';
import { startDeliveryCpuMeter } from './webhooks-cpu';

export const serviceEnv = {
  // The purge looks for work every 2 s, so the purge case starts as soon as it releases the purge lock.
  webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8', WEBHOOK_PURGE_INTERVAL: '2s' },
};

/** The advisory lock a purge run holds (apps/webhooks/src/retention/webhook-retention.repository.ts, PURGE_LOCK). */
const PURGE_LOCK = 'sigil-webhooks-purge';

let pathCounter = 0;

/** A delivery slower than this (event → received) is broken down by stage in the latency rows (per_contact: twice it). */
const SLOW_MS = 250;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function endpoint(api: ApiClient, receiver: WebhookReceiver, events: string[], policy: Record<string, unknown> = {}): Promise<{ id: string; path: string }> {
  const path = `/bench-${++pathCounter}`;
  const res = await api.post('/v1/webhooks', { url: receiver.url(path), events, ...policy });
  if (res.status !== 201) {
    throw new Error(
      `creating a webhook to ${receiver.url(path)} answered ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}; ` +
        `start the webhooks service with ${JSON.stringify(serviceEnv.webhooks)}`,
    );
  }
  receiver.expectSecrets(path, [res.body.data.secret]);
  return { id: res.body.data.id, path };
}

/** The 1-, 5- and 15-minute load averages now (2 cores: above 2 the machine is saturated). */
function loadNow(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

function note(msg: string): void {
  process.stdout.write(`[bench webhooks ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/**
 * The fewest arrivals in any `windowMs` window wholly inside [from, until] (windows start every second), as a
 * rate per second: a throughput held for the whole run, not reached once.
 */
function slowestWindow(arrivals: number[], from: number, until: number, windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const countBefore = (t: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let slowest = Infinity;
  for (let start = from; start + windowMs <= until; start += 1000) {
    slowest = Math.min(slowest, countBefore(start + windowMs) - countBefore(start));
  }
  return slowest === Infinity ? 0 : Math.round((slowest * 1000) / windowMs);
}

/** Imports `count` new contacts (one contact.created each); transient 429/503/504 are retried. */
async function importContacts(api: ApiClient, count: number): Promise<void> {
  await upsertContacts(
    api,
    Array.from({ length: count }, () => contactInput()),
  );
}

/** The batch upsert (by email): new contacts are created, existing ones updated; transient 429/503/504 are retried. */
async function upsertContacts(api: ApiClient, contacts: Record<string, unknown>[]): Promise<void> {
  const body = { contacts };
  for (let attempt = 1; ; attempt++) {
    const res = await api.post('/v1/contacts/batch', body);
    if (res.status < 300) return;
    if (attempt >= 5 || ![429, 503, 504].includes(res.status)) {
      throw new Error(`batch import answered ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`);
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

/** Emits about `rate` contact.created events per second for `seconds`, in small batches; returns how many were created. */
async function emitAtRate(api: ApiClient, rate: number, seconds: number): Promise<{ events: number; failedBatches: number }> {
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const started = Date.now();
  const inFlight: Promise<boolean>[] = [];
  for (let i = 0; i < ticks; i++) {
    const due = started + i * tickMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    inFlight.push(
      importContacts(api, perTick).then(
        () => true,
        () => false,
      ),
    );
  }
  const ok = (await Promise.all(inFlight)).filter(Boolean).length;
  return { events: ok * perTick, failedBatches: ticks - ok };
}

/**
 * Changes about `rate` contacts per second for `seconds` (10 distinct ones of `emails` per 50-ms batch, each batch
 * row a new first name: one contact.updated each); returns how many updates were accepted.
 */
async function updateAtRate(api: ApiClient, emails: string[], rate: number, seconds: number): Promise<{ events: number; failedBatches: number }> {
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const started = Date.now();
  const inFlight: Promise<boolean>[] = [];
  for (let i = 0; i < ticks; i++) {
    const due = started + i * tickMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const picked = new Set<string>();
    while (picked.size < perTick) picked.add(emails[Math.floor(Math.random() * emails.length)]!);
    const rows = [...picked].map((email) => ({ email, first_name: `t${i}` }));
    inFlight.push(
      upsertContacts(api, rows).then(
        () => true,
        () => false,
      ),
    );
  }
  const ok = (await Promise.all(inFlight)).filter(Boolean).length;
  return { events: ok * perTick, failedBatches: ticks - ok };
}

/** Per contact, in order of arrival: contacts whose versions did not strictly increase, and the most requests about one contact in flight at once. */
function orderPerContact(got: ReceivedWebhook[]): { outOfOrder: number; maxInFlight: number; contacts: number } {
  const byContact = new Map<string, ReceivedWebhook[]>();
  for (const d of got) {
    const id = d.payload.data?.contact?.id as string | undefined;
    if (id) byContact.set(id, [...(byContact.get(id) ?? []), d]);
  }
  let outOfOrder = 0;
  let maxInFlight = 0;
  for (const list of byContact.values()) {
    list.sort((a, b) => a.startedAt - b.startedAt);
    const firsts = list.filter((d, i) => list.findIndex((x) => x.payload.id === d.payload.id) === i).map((d) => d.payload.data.contact.version as number);
    if (firsts.some((v, i) => i > 0 && v <= firsts[i - 1]!)) outOfOrder++;
    for (let i = 0, open: number[] = []; i < list.length; i++) {
      open = open.filter((end) => end > list[i]!.startedAt);
      open.push(list[i]!.receivedAt);
      maxInFlight = Math.max(maxInFlight, open.length);
    }
  }
  return { outOfOrder, maxInFlight, contacts: byContact.size };
}

/** The most arrivals (request starts) within any one second. */
function maxPerSecond(got: ReceivedWebhook[]): number {
  const starts = got.map((d) => d.startedAt).sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (j < starts.length && starts[j]! - starts[i]! < 1000) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}

/** Deliveries a webhooks process has recorded as delivered (its /metrics), or '?' when it cannot be read. */
async function deliveredBy(url: string): Promise<number | string> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith('sigil_webhook_deliveries_total{') && l.includes('outcome="delivered"'));
    return lines.length ? lines.reduce((n, l) => n + Number(l.split(' ').pop()), 0) : '?';
  } catch {
    return '?';
  }
}

/** Event → delivery latencies of the path's delivered events (those created at or after `sinceMs`). */
function latencies(receiver: WebhookReceiver, path: string, sinceMs = 0): number[] {
  return receiver
    .received(path)
    .filter((d) => d.answered === 200 && Date.parse(d.payload.created_at) >= sinceMs)
    .map((d) => d.startedAt - Date.parse(d.payload.created_at))
    .sort((a, b) => a - b);
}

/**
 * `BENCH_WEBHOOKS_CASES` (comma-separated: sustained, latency, slow, per_contact, throttle, purge) runs only those
 * cases, in their usual order — to study one case on its own; unset, every case runs.
 */
function wanted(name: 'sustained' | 'latency' | 'slow' | 'per_contact' | 'throttle' | 'purge'): boolean {
  const only = process.env['BENCH_WEBHOOKS_CASES'];
  return (
    !only ||
    only
      .split(',')
      .map((c) => c.trim())
      .includes(name)
  );
}

export async function run(env: BenchEnv): Promise<BenchRow[]> {
  const receiver = await WebhookReceiver.start();
  const rows: BenchRow[] = [];
  try {
    // 1. Sustained throughput: events offered at a fixed rate to 8 endpoints for BENCH_WEBHOOKS_SUSTAINED_SECONDS
    //    (default 60; --quick: 10) — open loop, so a platform that cannot keep up builds a backlog and the time to
    //    drain it counts. Deliveries/s is every delivery over the first import to the last arrival; the slowest
    //    10-s window in between shows the rate held, not reached once.
    if (wanted('sustained')) {
      const { api } = await createTenant(env.gatewayUrl);
      const endpoints: { id: string; path: string }[] = [];
      for (let i = 0; i < 8; i++) endpoints.push(await endpoint(api, receiver, ['contact.created']));
      const eventRate = env.quick ? 100 : Number(process.env['BENCH_WEBHOOKS_SUSTAINED_RATE'] ?? 250);
      const duration = env.quick ? 10 : Number(process.env['BENCH_WEBHOOKS_SUSTAINED_SECONDS'] ?? 60);
      note(`throughput: ${eventRate} events/s × ${endpoints.length} endpoints for ${duration} s`);
      const cpu = await startDeliveryCpuMeter(env.pids, env.webhooksDatabaseUrl);
      const started = Date.now();
      const { events, failedBatches } = await emitAtRate(api, eventRate, duration);
      const offeredUntil = Date.now();
      const expected = events * endpoints.length;
      const deadline = Date.now() + 600_000;
      const delivered = () => endpoints.reduce((n, e) => n + receiver.count(e.path), 0);
      while (delivered() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const arrivals = endpoints.flatMap((e) => receiver.received(e.path).map((d) => d.receivedAt));
      const last = Math.max(...arrivals);
      const seconds = (last - started) / 1000;
      const verified = endpoints.every((e) => receiver.received(e.path).every((d) => d.verifiedWith.length === 1));
      rows.push({
        case: `sustained throughput (${eventRate} events/s × 8 endpoints offered for ${duration} s)`,
        events,
        'failed imports': failedBatches,
        deliveries: delivered(),
        seconds: Math.round(seconds * 10) / 10,
        'deliveries/s': Math.round(delivered() / seconds),
        'slowest 10 s, deliveries/s': slowestWindow(arrivals, started, offeredUntil, 10_000),
        'drained after last import, s': Math.round((last - offeredUntil) / 100) / 10,
        'all signatures valid': verified ? 'yes' : 'NO',
        cpu: await cpu.stop(delivered()),
        load: loadNow(),
      });
    }

    // 2. Latency at a fixed event rate, one endpoint: the target rate, then a lower one for comparison.
    //    BENCH_WEBHOOKS_LATENCY_RUNS consecutive runs at the target rate (default 3: the target holds in each).
    const rate = 200;
    const seconds = env.quick ? 5 : 15;
    const runs = env.quick ? 1 : Number(process.env['BENCH_WEBHOOKS_LATENCY_RUNS'] ?? 3);
    for (const [run, r] of wanted('latency') ? [...Array.from({ length: runs }, (_, i) => [i + 1, rate] as const), [0, 50] as const] : []) {
      const { api } = await createTenant(env.gatewayUrl);
      const target = await endpoint(api, receiver, ['contact.created']);
      note(`latency: ${r} events/s for ${seconds} s`);
      const { events, failedBatches } = await emitAtRate(api, r, seconds);
      await receiver.waitFor(target.path, (all) => all.length >= events, 120_000).catch(() => undefined);
      const lat = latencies(receiver, target.path);
      rows.push({
        case: run ? `event → delivery latency at ${r} events/s (run ${run} of ${runs})` : `event → delivery latency at ${r} events/s`,
        events,
        'failed imports': failedBatches,
        deliveries: lat.length,
        'p50 ms': percentile(lat, 50),
        'p99 ms': percentile(lat, 99),
        'max ms': lat[lat.length - 1] ?? 0,
        'slow ones, by stage': await stagesOf(env, receiver, target.path, SLOW_MS),
        load: loadNow(),
      });
    }

    // 3. The same, while a second endpoint of the tenant takes 2 s per delivery.
    if (wanted('slow')) {
      const { api } = await createTenant(env.gatewayUrl);
      const fast = await endpoint(api, receiver, ['contact.created']);
      const slow = await endpoint(api, receiver, ['contact.created']);
      receiver.respond(slow.path, () => ({ delayMs: 2000 }));
      note(`latency beside a slow receiver: ${rate} events/s for ${seconds} s`);
      const { events, failedBatches } = await emitAtRate(api, rate, seconds);
      await receiver.waitFor(fast.path, (all) => all.length >= events, 120_000).catch(() => undefined);
      const lat = latencies(receiver, fast.path);
      rows.push({
        case: `latency at ${rate} events/s beside a 2 s receiver`,
        events,
        'failed imports': failedBatches,
        deliveries: lat.length,
        'p50 ms': percentile(lat, 50),
        'p99 ms': percentile(lat, 99),
        'max ms': lat[lat.length - 1] ?? 0,
        'slow endpoint delivered': receiver.received(slow.path).length,
        'slow endpoint max in flight': receiver.maxConcurrent(slow.path),
        'slow ones, by stage': await stagesOf(env, receiver, fast.path, SLOW_MS),
        load: loadNow(),
      });
      // Its backlog would weigh on later benchmarks: deleting the endpoint drops its pending deliveries.
      await api.delete(`/v1/webhooks/${slow.id}`);
    }

    // 4. per_contact ordering: 200 updates/s spread over 1 000 contacts, so a contact often has one in flight
    //    when its next change arrives; every contact's deliveries must arrive in event (version) order.
    if (wanted('per_contact')) {
      const { api } = await createTenant(env.gatewayUrl);
      const contacts = Array.from({ length: 1000 }, () => contactInput());
      for (let i = 0; i < contacts.length; i += 250) await upsertContacts(api, contacts.slice(i, i + 250));
      const ordered = await endpoint(api, receiver, ['contact.updated'], { ordering: 'per_contact' });
      note(`per_contact: ${rate} updates/s over ${contacts.length} contacts for ${seconds} s`);
      const { events, failedBatches } = await updateAtRate(
        api,
        contacts.map((c) => c.email as string),
        rate,
        seconds,
      );
      await receiver.waitFor(ordered.path, (all) => new Set(all.map((d) => d.payload.id)).size >= events, 120_000).catch(() => undefined);
      const got = receiver.received(ordered.path);
      const order = orderPerContact(got);
      const lat = latencies(receiver, ordered.path);
      rows.push({
        case: `per_contact endpoint at ${rate} events/s over ${contacts.length} contacts (target: every contact in event order, p99 ≤ 500 ms)`,
        events,
        'failed imports': failedBatches,
        deliveries: lat.length,
        contacts: order.contacts,
        'contacts out of order': order.outOfOrder,
        'max in flight per contact': order.maxInFlight,
        'p50 ms': percentile(lat, 50),
        'p99 ms': percentile(lat, 99),
        'max ms': lat[lat.length - 1] ?? 0,
        'slow ones, by stage': await stagesOf(env, receiver, ordered.path, 2 * SLOW_MS),
        load: loadNow(),
      });
    }

    // 5. Throttle across replicas: a second webhooks process works the same queue; 50/s must hold at the receiver.
    if (env.startReplica && wanted('throttle')) {
      const limit = 50;
      const replica = await env.startReplica('webhooks');
      try {
        const { api } = await createTenant(env.gatewayUrl);
        const throttled = await endpoint(api, receiver, ['contact.created'], { rate_limit_per_second: limit });
        const events = env.quick ? 250 : 1000;
        note(`throttle: ${events} events to a ${limit}/s endpoint, 2 webhooks replicas`);
        const started = Date.now();
        for (let sent = 0; sent < events; sent += 250) await importContacts(api, Math.min(250, events - sent));
        await receiver.waitFor(throttled.path, (all) => all.length >= events, 120_000 + (events / limit) * 1000).catch(() => undefined);
        const got = receiver.received(throttled.path);
        const last = Math.max(...got.map((d) => d.startedAt));
        rows.push({
          case: `${limit} msg/s throttle across 2 webhooks replicas (target: never above ${limit} in any second)`,
          events,
          deliveries: got.length,
          'max in any second': maxPerSecond(got),
          'deliveries/s': Math.round((got.length / (last - started)) * 1000 * 10) / 10,
          // Started for this case: what it delivered is (nearly all) this case's.
          'delivered by the second replica': await deliveredBy(replica.url),
          load: loadNow(),
        });
      } finally {
        await replica.stop();
      }
    } else {
      rows.push({ case: '50 msg/s throttle across 2 webhooks replicas', events: 0, note: 'not run: this runner cannot start a second webhooks replica' });
    }

    // 6. The same latency before and while the purge deletes `seeded` old deliveries.
    // Twice the latency case's window each side: a p99 of 3 000 deliveries moved by a single stall.
    if (env.webhooksDatabaseUrl && wanted('purge')) rows.push(await duringPurge(env, receiver, rate, env.quick ? seconds : 30));
    else note('purge case skipped: no webhooks database URL');
  } finally {
    await receiver.close();
  }
  return rows;
}

/**
 * Seeds `seeded` delivered deliveries 40 days old (one attempt each, one body
 * per four deliveries) while holding the purge lock, so the service cannot
 * start purging; measures event → delivery latency at `rate` (baseline, with
 * the rows present), releases the lock and measures again while the
 * service's purge runs.
 *
 * The seed is `INSERT … SELECT generate_series` in PostgreSQL (nothing goes
 * through Node), on two connections at once (deliveries; attempts and
 * bodies), with the two tables' foreign keys and non-partial secondary
 * indexes dropped meanwhile and rebuilt afterwards from their catalogue
 * definitions (a sorted index build is many times faster than 10 M index
 * insertions, and a foreign key checked once by a join than 10 M times by a
 * trigger). The service is idle then: nothing is fanned out or delivered
 * until the baseline starts, after the rebuild, a VACUUM ANALYZE, a
 * CHECKPOINT, a `sync` and 10 s of uncounted warm-up deliveries.
 */
async function duringPurge(env: BenchEnv, receiver: WebhookReceiver, rate: number, seconds: number): Promise<BenchRow> {
  const seeded = env.quick ? 200_000 : 10_000_000;
  const db = new Client({ connectionString: env.webhooksDatabaseUrl });
  const lock = new Client({ connectionString: env.webhooksDatabaseUrl });
  await Promise.all([db.connect(), lock.connect()]);
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [PURGE_LOCK]);
    const { api } = await createTenant(env.gatewayUrl);
    const target = await endpoint(api, receiver, ['contact.created']);
    // The seeded rows' endpoints (four: each event went to four of them), subscribed to nothing this benchmark emits.
    const archive: string[] = [];
    for (let i = 0; i < 4; i++) archive.push((await endpoint(api, receiver, ['list.member_removed'])).id);
    const seedStarted = Date.now();
    await seedOldDeliveries(env.webhooksDatabaseUrl!, archive, seeded, Date.now() - 40 * 86_400_000);
    const seedSeconds = Math.round((Date.now() - seedStarted) / 1000);
    note(`purge: seed done (${seedSeconds} s)`);
    // The baseline must not pay for the seed's aftermath: its autovacuum, the gigabytes of pages the seed and the index
    // builds left dirty (a checkpoint, then the kernel's write-back: any process's write could stall behind them
    // meanwhile), the first deliveries' cold caches (a warm-up, not counted). Session 20 saw baseline p99s of 79, 253
    // and 630 ms without the first two.
    await db.query(`VACUUM ANALYZE webhook_deliveries, webhook_attempts, webhook_event_bodies`);
    await db.query(`CHECKPOINT`);
    execFileSync('sync');
    const warm = await emitAtRate(api, rate, 10);
    await receiver.waitFor(target.path, (all) => all.length >= warm.events, 60_000).catch(() => undefined);
    const baselineStart = Date.now();
    const remaining = async () =>
      Number((await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE tenant_id = 'ten_bench_purge' AND mode = 'live'`)).rows[0].n);

    note(`purge: baseline at ${rate} events/s for ${seconds} s (${seeded} old rows present, purge held)`);
    const base = await emitAtRate(api, rate, seconds);
    await receiver.waitFor(target.path, () => latencies(receiver, target.path, baselineStart).length >= base.events, 120_000).catch(() => undefined);
    const baseline = latencies(receiver, target.path, baselineStart);

    await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [PURGE_LOCK]);
    // The service's next turn (WEBHOOK_PURGE_INTERVAL 2 s) takes the lock and starts deleting.
    const before = await remaining();
    const deadline = Date.now() + 30_000;
    while ((await remaining()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    note(`purge: running; at ${rate} events/s for ${seconds} s`);
    const windowStart = Date.now();
    const during = await emitAtRate(api, rate, seconds);
    await receiver.waitFor(target.path, () => latencies(receiver, target.path, windowStart).length >= during.events, 120_000).catch(() => undefined);
    const purging = latencies(receiver, target.path, windowStart);
    const after = await remaining();
    const p99Base = percentile(baseline, 99);
    const p99Purging = percentile(purging, 99);
    const increase = p99Base ? Math.round(((p99Purging - p99Base) / p99Base) * 1000) / 10 : 0;
    return {
      case: `p99 event → delivery at ${rate} events/s while purging ${seeded.toLocaleString('en')} old deliveries`,
      'seed s': seedSeconds,
      'baseline p50 / p99 ms': `${percentile(baseline, 50)} / ${p99Base}`,
      'purging p50 / p99 ms': `${percentile(purging, 50)} / ${p99Purging}`,
      'p99 increase %': increase,
      'rows purged in the window': before - after,
      deliveries: `${baseline.length} + ${purging.length}`,
      target: '≤ 20 %',
      met: increase <= 20 && before - after > 0 ? 'yes' : 'NO',
      load: loadNow(),
    };
  } finally {
    await Promise.allSettled([db.end(), lock.end()]);
  }
}

/**
 * `seeded` delivered deliveries of tenant `ten_bench_purge` created at `oldMs` (ids of that time, so the purge walks
 * them in key order), spread over the `archive` endpoints (four), one attempt each, one body per four deliveries.
 */
export async function seedOldDeliveries(databaseUrl: string, archive: string[], seeded: number, oldMs: number): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  const db2 = new Client({ connectionString: databaseUrl });
  await Promise.all([db.connect(), db2.connect()]);
  try {
    // ULID-style ids of that time: the time part, then 16 digits.
    const msg = newId('msg', oldMs).slice(0, 14);
    const evt = newId('evt', oldMs).slice(0, 14);
    const at = new Date(oldMs);
    const body = JSON.stringify({ id: 'evt_seed', type: 'contact.created', created_at: at.toISOString(), data: { contact: contactInput() } });
    const chunk = 1_000_000;
    const started = Date.now();
    const chunks: [number, number][] = [];
    for (let from = 1; from <= seeded; from += chunk) chunks.push([from, Math.min(seeded, from + chunk - 1)]);
    await withoutSecondaryIndexes(db, async () => {
      const deliveries = async () => {
        for (const [from, to] of chunks) {
          await db.query(
            `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, status, attempt_count, last_status_code,
                                             delivered_at, created_at, updated_at, seq)
             SELECT $1 || lpad(g::text, 16, '0'), 'ten_bench_purge', 'live', ($2::text[])[g % 4 + 1], $3 || lpad(((g + 3) / 4)::text, 16, '0'),
                    'contact.created', 'delivered', 1, 200, $4, $4, $4, NULL
               FROM generate_series($5::int, $6::int) g`,
            [msg, archive, evt, at, from, to],
          );
          note(`purge: seeded ${to} of ${seeded} old deliveries (${Math.round((Date.now() - started) / 1000)} s)`);
        }
      };
      const attemptsAndBodies = async () => {
        for (const [from, to] of chunks) {
          await db2.query(
            `INSERT INTO webhook_event_bodies (event_id, tenant_id, body)
             SELECT $1 || lpad(g::text, 16, '0'), 'ten_bench_purge', $2 FROM generate_series(($3::int + 3) / 4, ($4::int + 3) / 4) g ON CONFLICT DO NOTHING`,
            [evt, body, from, to],
          );
          await db2.query(
            `INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms)
             SELECT $1 || lpad(g::text, 16, '0'), 1, 'ten_bench_purge', 'live', $2, 200, 12 FROM generate_series($3::int, $4::int) g`,
            [msg, at, from, to],
          );
        }
      };
      await Promise.all([deliveries(), attemptsAndBodies()]);
      note(`purge: rows in (${Math.round((Date.now() - started) / 1000)} s); rebuilding indexes and foreign keys`);
    });
  } finally {
    await Promise.allSettled([db.end(), db2.end()]);
  }
}

/**
 * Runs `seed` with the foreign keys, unique constraints and non-partial secondary indexes of the delivery tables
 * dropped (primary keys and partial indexes stay), then puts them back exactly as the catalogue defined them: the
 * indexes built in one sort each, the foreign keys added NOT VALID and validated by one join each.
 */
async function withoutSecondaryIndexes(db: Client, seed: () => Promise<void>): Promise<void> {
  const tables = ['webhook_deliveries', 'webhook_attempts'];
  const constraints = (
    await db.query(
      `SELECT conrelid::regclass::text AS tbl, conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = ANY($1::regclass[]) AND contype IN ('f', 'u') ORDER BY contype DESC`,
      [tables],
    )
  ).rows as { tbl: string; conname: string; contype: 'f' | 'u'; def: string }[];
  const indexes = (
    await db.query(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
        WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary AND i.indpred IS NULL
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      [tables],
    )
  ).rows as { name: string; def: string }[];
  await db.query(`SET lock_timeout = '30s'`);
  for (const c of constraints) await db.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.conname}`);
  for (const i of indexes) await db.query(`DROP INDEX ${i.name}`);
  try {
    await seed();
  } finally {
    await db.query(`SET maintenance_work_mem = '256MB'`);
    for (const i of indexes) await db.query(i.def);
    // Unique constraints first (ORDER BY contype DESC above: 'u' before 'f').
    for (const c of constraints) {
      if (c.contype === 'u') await db.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.conname} ${c.def}`);
      else {
        await db.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.conname} ${c.def} NOT VALID`);
        await db.query(`ALTER TABLE ${c.tbl} VALIDATE CONSTRAINT ${c.conname}`);
      }
    }
    await db.query(`RESET maintenance_work_mem; RESET lock_timeout`);
  }
}

/**
 * Where the slow deliveries of a path spent their time, from what the platform records anyway: the event's
 * `created_at` (its writer's clock), the delivery row's `created_at` (the fan-out transaction's start), the
 * delivered attempt's `attempted_at` (after the queue, any parking for a slot or a contact's turn, the throttle) and
 * the receiver's arrival. `→ fan-out` is the writer's outbox, Kafka and the fan-out consumer; `fan-out → attempted`
 * the BullMQ queue and the waits; `attempted → received` the wire. Says which side a latency stall was on, e.g.
 * `31 over 0.8 s from 16:52:11.2: → fan-out 20/41 ms (all 12), fan-out → attempted 3300/4870 ms (all 9), …`
 * (median/max of the slow ones, median of all in brackets). '' when none is that slow, '?' when it cannot be read.
 */
async function stagesOf(env: BenchEnv, receiver: WebhookReceiver, path: string, thresholdMs: number): Promise<string> {
  const got = receiver.received(path).filter((d) => d.answered === 200);
  const slowOnes = got.filter((d) => d.startedAt - Date.parse(d.payload.created_at) > thresholdMs);
  if (!slowOnes.length) return '';
  if (!env.webhooksDatabaseUrl) return '?';
  const db = new Client({ connectionString: env.webhooksDatabaseUrl });
  try {
    await db.connect();
    const ids = got.map((d) => d.headers['webhook-id']).filter((id): id is string => Boolean(id));
    const rows = (
      await db.query(
        `SELECT d.id, d.created_at,
                (SELECT max(a.attempted_at) FROM webhook_attempts a WHERE a.delivery_id = d.id AND a.status_code BETWEEN 200 AND 299) AS attempted_at
           FROM webhook_deliveries d WHERE d.id = ANY($1::text[])`,
        [ids],
      )
    ).rows as { id: string; created_at: Date; attempted_at: Date | null }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const stages = (d: ReceivedWebhook): (number | undefined)[] => {
      const row = byId.get(d.headers['webhook-id'] ?? '');
      const points = [Date.parse(d.payload.created_at), row?.created_at.getTime(), row?.attempted_at?.getTime() ?? undefined, d.startedAt];
      return [0, 1, 2].map((i) => (points[i] !== undefined && points[i + 1] !== undefined ? points[i + 1]! - points[i]! : undefined));
    };
    return slowStages(
      got.map(stages),
      slowOnes.map(stages),
      slowOnes.map((d) => d.startedAt),
    );
  } catch (err) {
    return `? (${String(err)})`;
  } finally {
    await db.end().catch(() => undefined);
  }
}

const STAGE_NAMES = ['→ fan-out', 'fan-out → attempted', 'attempted → received'] as const;

/** The slow deliveries' stages (median/max, beside the median over all) and when they arrived. */
export function slowStages(all: (number | undefined)[][], slow: (number | undefined)[][], arrivals: number[]): string {
  const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
  const column = (list: (number | undefined)[][], i: number) => list.map((s) => s[i]).filter((v): v is number => v !== undefined);
  const first = Math.min(...arrivals);
  const last = Math.max(...arrivals);
  const parts = STAGE_NAMES.map((name, i) => {
    const mine = column(slow, i);
    if (!mine.length) return `${name} –`;
    return `${name} ${median(mine)}/${Math.max(...mine)} ms (all ${median(column(all, i))})`;
  });
  return `${slow.length} over ${((last - first) / 1000).toFixed(1)} s from ${new Date(first).toISOString().slice(11, 21)}: ${parts.join(', ')}`;
}
