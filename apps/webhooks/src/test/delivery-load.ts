/**
 * A load of signed deliveries through the webhooks service alone, to measure
 * and profile the delivery path (fan-out, queue, SQL, signing, HTTP) without
 * the rest of the platform:
 *
 *   node [--cpu-prof --cpu-prof-dir=<dir>] dist/apps/webhooks/src/test/delivery-load.js [events=3000] [endpoints=8] [rate=0]
 *
 * Runs the service's module in this process (WebhooksHarness: its own
 * database, the shared Redis and Kafka) and a receiver that verifies every
 * signature in a child process (its CPU is not this process's), creates
 * `endpoints` endpoints of one tenant subscribed to `contact.created`, and
 * publishes `events` such events — all at once, or `rate` per second — then
 * waits until the receiver has every delivery and the database records them
 * all delivered. Prints one JSON line: deliveries/s, this process's CPU
 * milliseconds per delivery (fan-out included), event → delivery p50/p99,
 * and whether every signature verified. On a shared machine the rate is a
 * lower bound; the CPU per delivery is the figure to compare.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { testContext, WebhookReceiver } from '@sigil/testing';
import { EndpointsService } from '../endpoints/endpoints.service';
import { domainEvent, WebhooksHarness } from './webhooks-harness';

interface ReceiverReport {
  count: number;
  verified: number;
  /** Only in the final report. */
  latencies?: number[];
}

/** Round trips this process makes: every PostgreSQL query and every Redis command (Lua scripts included). */
const roundTrips = { pg: 0, redis: 0 };
const pgQuery = Client.prototype.query as (...args: unknown[]) => unknown;
(Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: Client, ...args: unknown[]) {
  roundTrips.pg++;
  return pgQuery.apply(this, args);
};
const redisSend = Redis.prototype.sendCommand as (...args: unknown[]) => unknown;
(Redis.prototype as unknown as { sendCommand: (...args: unknown[]) => unknown }).sendCommand = function (this: Redis, ...args: unknown[]) {
  roundTrips.redis++;
  return redisSend.apply(this, args);
};

/** The child: a WebhookReceiver reporting its counts to the parent. */
async function runReceiver(): Promise<void> {
  const receiver = await WebhookReceiver.start();
  process.on('message', (msg: { secrets?: [string, string][]; report?: 'count' | 'full'; stop?: boolean }) => {
    for (const [path, secret] of msg.secrets ?? []) receiver.expectSecrets(path, [secret]);
    if (msg.report) {
      const all = receiver.deliveries;
      process.send!({
        count: all.length,
        verified: all.filter((d) => d.verifiedWith.length === 1).length,
        ...(msg.report === 'full' ? { latencies: all.map((d) => d.startedAt - Date.parse(d.payload.created_at)) } : {}),
      } satisfies ReceiverReport);
    }
    if (msg.stop) void receiver.close().then(() => process.exit(0));
  });
  process.send!({ url: receiver.url('') });
}

function ask(child: ChildProcess, report: 'count' | 'full' = 'count'): Promise<ReceiverReport> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as ReceiverReport));
    child.send({ report });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;
}

async function main(): Promise<void> {
  const [events = 3000, endpointCount = 8, rate = 0] = process.argv.slice(2).map(Number);
  const child = fork(__filename, ['--receiver'], { stdio: 'inherit' });
  const base = (await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)))).replace(/\/$/, '');
  const harness = await WebhooksHarness.start({ WEBHOOK_TIMEOUT: '15s', WEBHOOK_JOB_LOCK: '30s', LOG_LEVEL: 'warn' });
  try {
    const ctx = testContext();
    const secrets: [string, string][] = [];
    for (let i = 0; i < endpointCount; i++) {
      const path = `/load-${i}-${randomBytes(3).toString('hex')}`;
      const created = await harness.get(EndpointsService).create(ctx, { url: `${base}${path}`, events: ['contact.created'] });
      secrets.push([path, created.secret]);
    }
    child.send({ secrets });
    const batch = (n: number) => Array.from({ length: n }, () => domainEvent('contact.created', ctx.tenant_id, contact()));
    const expected = events * endpointCount;
    // Warm-up (connections, JIT), not counted.
    await harness.publishAll(batch(20));
    while ((await ask(child)).count < 20 * endpointCount) await new Promise((r) => setTimeout(r, 100));

    const cpuBefore = process.cpuUsage();
    const tripsBefore = { ...roundTrips };
    const started = Date.now();
    if (rate > 0) {
      for (let sent = 0, tick = 0; sent < events; tick++) {
        const due = started + tick * 50;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const n = Math.min(events - sent, Math.max(1, Math.round(rate / 20)));
        await harness.publishAll(batch(n));
        sent += n;
      }
    } else {
      for (let sent = 0; sent < events; sent += 500) await harness.publishAll(batch(Math.min(500, events - sent)));
    }
    let report = await ask(child);
    const deadline = Date.now() + 600_000;
    while (report.count < expected + 20 * endpointCount && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      report = await ask(child);
    }
    const receivedAt = Date.now();
    for (;;) {
      const [{ n }] = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'delivered'`)) as [{ n: number }];
      if (n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const pgTrips = roundTrips.pg - tripsBefore.pg;
    const redisTrips = roundTrips.redis - tripsBefore.redis;
    const seconds = (Date.now() - started) / 1000;
    report = await ask(child, 'full');
    const latencies = report.latencies!.slice(20 * endpointCount).sort((a, b) => a - b);
    const [{ attempts }] = (await harness.dataSource.query(`SELECT count(*)::int AS attempts FROM webhook_attempts`)) as [{ attempts: number }];
    process.stdout.write(
      JSON.stringify({
        events,
        endpoints: endpointCount,
        rate: rate || 'all at once',
        deliveries: report.count - 20 * endpointCount,
        expected,
        attempts: attempts - 20 * endpointCount,
        'deliveries/s': Math.round(expected / ((receivedAt - started) / 1000)),
        'seconds until all recorded': Math.round(seconds * 10) / 10,
        'cpu ms/delivery': Math.round(((cpu.user + cpu.system) / 1000 / expected) * 1000) / 1000,
        // The wait loop's own queries are a few per 50 ms: negligible beside thousands of deliveries.
        'pg queries/delivery': Math.round((pgTrips / expected) * 100) / 100,
        'redis commands/delivery': Math.round((redisTrips / expected) * 100) / 100,
        'p50 ms': percentile(latencies, 50),
        'p99 ms': percentile(latencies, 99),
        'all signatures valid': report.verified === report.count,
      }) + '\n',
    );
  } finally {
    child.send({ stop: true });
    await harness.close();
  }
}

function contact() {
  const now = new Date().toISOString();
  return {
    contact: {
      id: `con_${randomBytes(8).toString('hex')}`,
      external_id: null,
      email: `${randomBytes(6).toString('hex')}@example.com`,
      first_name: 'Ada',
      last_name: null,
      phone: null,
      tags: [],
      custom_fields: {},
      subscription_status: 'subscribed' as const,
      suppressed: false,
      created_at: now,
      updated_at: now,
      version: 1,
    },
  };
}

if (process.argv.includes('--receiver')) void runReceiver();
else
  void main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
