/**
 * Webhook delivery benchmarks, to a local receiver that verifies every
 * signature: sustained signed deliveries per second (contacts imported in
 * batches, fanned out to several endpoints), event → delivery latency at a
 * fixed event rate, and the same latency while another endpoint of the
 * tenant answers in 2 s (the per-endpoint concurrency cap keeps it from
 * starving the others).
 *
 * The stack's webhooks service must be allowed to reach 127.0.0.1 over http:
 * start it with `serviceEnv` below (as the e2e tests do).
 */
import { loadavg } from 'node:os';
import { contactInput, createTenant, WebhookReceiver, type ApiClient } from '@sigil/testing';
import type { BenchEnv, BenchRow } from '../scenario';

export const serviceEnv = { webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8' } };

let pathCounter = 0;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function endpoint(api: ApiClient, receiver: WebhookReceiver, events: string[]): Promise<{ id: string; path: string }> {
  const path = `/bench-${++pathCounter}`;
  const res = await api.post('/v1/webhooks', { url: receiver.url(path), events });
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

/** Imports `count` new contacts (one contact.created each); transient 429/503/504 are retried. */
async function importContacts(api: ApiClient, count: number): Promise<void> {
  const body = { contacts: Array.from({ length: count }, () => contactInput()) };
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
    inFlight.push(importContacts(api, perTick).then(() => true, () => false));
  }
  const ok = (await Promise.all(inFlight)).filter(Boolean).length;
  return { events: ok * perTick, failedBatches: ticks - ok };
}

function latencies(receiver: WebhookReceiver, path: string): number[] {
  return receiver
    .received(path)
    .filter((d) => d.answered === 200)
    .map((d) => d.startedAt - Date.parse(d.payload.created_at))
    .sort((a, b) => a - b);
}

export async function run(env: BenchEnv): Promise<BenchRow[]> {
  const receiver = await WebhookReceiver.start();
  const rows: BenchRow[] = [];
  try {
    // 1. Sustained throughput: N events × E endpoints, as fast as the platform goes.
    {
      const { api } = await createTenant(env.gatewayUrl);
      const endpoints: { id: string; path: string }[] = [];
      for (let i = 0; i < 8; i++) endpoints.push(await endpoint(api, receiver, ['contact.created']));
      const events = env.quick ? 500 : 3000;
      note(`throughput: ${events} events × ${endpoints.length} endpoints`);
      const started = Date.now();
      for (let sent = 0; sent < events; sent += 400) {
        await Promise.all([0, 100, 200, 300].filter((o) => sent + o < events).map((o) => importContacts(api, Math.min(100, events - sent - o))));
      }
      const expected = events * endpoints.length;
      const deadline = Date.now() + 600_000;
      const delivered = () => endpoints.reduce((n, e) => n + receiver.received(e.path).length, 0);
      while (delivered() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const last = Math.max(...endpoints.flatMap((e) => receiver.received(e.path).map((d) => d.receivedAt)));
      const seconds = (last - started) / 1000;
      const verified = endpoints.every((e) => receiver.received(e.path).every((d) => d.verifiedWith.length === 1));
      rows.push({
        case: 'sustained throughput (batch import, 8 endpoints)',
        events,
        deliveries: delivered(),
        seconds: Math.round(seconds * 10) / 10,
        'deliveries/s': Math.round(delivered() / seconds),
        'all signatures valid': verified ? 'yes' : 'NO',
        load: loadNow(),
      });
    }

    // 2. Latency at a fixed event rate, one endpoint: the target rate, then a lower one for comparison.
    const rate = 200;
    const seconds = env.quick ? 5 : 15;
    for (const r of [rate, 50]) {
      const { api } = await createTenant(env.gatewayUrl);
      const target = await endpoint(api, receiver, ['contact.created']);
      note(`latency: ${r} events/s for ${seconds} s`);
      const { events, failedBatches } = await emitAtRate(api, r, seconds);
      await receiver.waitFor(target.path, (all) => all.length >= events, 120_000).catch(() => undefined);
      const lat = latencies(receiver, target.path);
      rows.push({
        case: `event → delivery latency at ${r} events/s`,
        events,
        'failed imports': failedBatches,
        deliveries: lat.length,
        'p50 ms': percentile(lat, 50),
        'p99 ms': percentile(lat, 99),
        'max ms': lat[lat.length - 1] ?? 0,
        load: loadNow(),
      });
    }

    // 3. The same, while a second endpoint of the tenant takes 2 s per delivery.
    {
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
        load: loadNow(),
      });
      // Its backlog would weigh on later benchmarks: deleting the endpoint drops its pending deliveries.
      await api.delete(`/v1/webhooks/${slow.id}`);
    }
  } finally {
    await receiver.close();
  }
  return rows;
}
