/**
 * Gateway overhead: `GET /v1/me` with a cached key (auth only, no Kafka) and
 * the full authenticated + rate-limited `GET /v1/contacts/:id`, with the Redis
 * limiter on (a second gateway process) and off (the bench stack's gateway),
 * next to a bare Fastify server measured in the same scenario; and the cold
 * (cache-miss) key verification latency.
 *
 * Load is spread over 50 keys of one agency tenant whose limits are raised
 * (admin API: 1 M a minute, its maximum) so the limiter runs its full script on every
 * request without refusing any: with the plan's 1 000/min the saturation row
 * measured mostly 429s.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { adminClient, ApiClient, createTenant, freePort, KAFKA_BROKERS, REDIS_URL, ServiceProcess } from '@sigil/testing';
import { round } from '../load';
import type { BenchEnv, BenchRow } from '../scenario';

const ROOT = resolve(__dirname, '../../../../..');

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(url: string, keys: string[], connections: number, seconds: number, rate?: number): Promise<Result> {
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: keys.length ? { ...req.headers, authorization: `Bearer ${keys[i++ % keys.length]}` } : req.headers,
        }),
      },
    ],
  });
  return {
    rps: round(result.requests.total / Math.max(result.duration, 0.001), 1),
    p50: round(result.latency.p50),
    p99: round(result.latency.p99),
    non2xx: result.non2xx + result.errors,
  };
}

async function startBaseline(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/tools/bench/src/baseline-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) res(m[1]!);
    });
    child.once('exit', () => rej(new Error('baseline exited')));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

export async function run(env: BenchEnv): Promise<BenchRow[]> {
  const seconds = env.quick ? 3 : 10;
  const tenant = await createTenant(env.gatewayUrl, { plan: 'agency' });
  const raised = await adminClient(env.gatewayUrl).patch(`/v1/admin/tenants/${tenant.tenantId}`, {
    limits: { per_minute: 1_000_000, per_day: 1_000_000_000, max_keys: 100 },
  });
  if (raised.status !== 200) throw new Error(`raising the bench tenant's limits answered ${raised.status}: ${JSON.stringify(raised.body)}`);
  const keys = [tenant.apiKey];
  while (keys.length < 50) keys.push((await tenant.createKey({ name: `bench ${keys.length}` })).key);
  const contact = await tenant.api.post('/v1/contacts', { email: `bench.${Date.now()}@example.com` });
  if (contact.status !== 201) throw new Error(`cannot create the bench contact: ${contact.status}`);
  const contactPath = `/v1/contacts/${contact.body.data.id}`;

  const limited = new ServiceProcess(
    'gateway-limited',
    'gateway',
    await freePort(),
    {
      SIGIL_KAFKA_NAMESPACE: KAFKA_NAMESPACE,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PARTITIONS: '6',
      REDIS_URL,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'true',
    },
    join(ROOT, '.infra/test-logs', KAFKA_NAMESPACE),
  );
  await limited.start();
  const baseline = await startBaseline();
  const rows: BenchRow[] = [];
  try {
    // Warm both gateways' key caches.
    for (const key of keys) {
      await new ApiClient(env.gatewayUrl, { authorization: `Bearer ${key}` }).get('/v1/me');
      await new ApiClient(limited.url, { authorization: `Bearer ${key}` }).get('/v1/me');
    }
    const loads: { label: string; rate?: number }[] = [
      { label: '200 req/s', rate: 200 },
      { label: '500 req/s', rate: 500 },
      { label: '1000 req/s', rate: 1000 },
      { label: 'saturation' },
    ];
    for (const l of loads) {
      const base = await load(baseline.url, [], 50, seconds, l.rate);
      const meOff = await load(`${env.gatewayUrl}/v1/me`, keys, 50, seconds, l.rate);
      const meOn = await load(`${limited.url}/v1/me`, keys, 50, seconds, l.rate);
      const fullOff = await load(`${env.gatewayUrl}${contactPath}`, keys, 50, seconds, l.rate);
      const fullOn = await load(`${limited.url}${contactPath}`, keys, 50, seconds, l.rate);
      for (const [path, r] of [
        ['bare Fastify', base],
        ['GET /v1/me, limiter off', meOff],
        ['GET /v1/me, limiter on', meOn],
        ['GET /v1/contacts/:id, limiter off', fullOff],
        ['GET /v1/contacts/:id, limiter on', fullOn],
      ] as [string, Result][]) {
        rows.push({ load: l.label, path, 'req/s': r.rps, 'p50 ms': r.p50, 'p99 ms': r.p99, 'non-2xx': r.non2xx, 'throughput vs bare': round(r.rps / base.rps, 3) });
      }
    }
    // Cold verification: the first request of a never-seen key goes memory → Redis → Kafka → keys.
    const cold: number[] = [];
    const warm: number[] = [];
    const fresh = await createTenant(env.gatewayUrl, { plan: 'agency' });
    for (let i = 0; i < (env.quick ? 5 : 40); i++) {
      const { key } = await fresh.createKey({ name: `cold ${i}` });
      const client = new ApiClient(limited.url, { authorization: `Bearer ${key}` });
      let t = performance.now();
      await client.get('/v1/me');
      cold.push(performance.now() - t);
      t = performance.now();
      await client.get('/v1/me');
      warm.push(performance.now() - t);
    }
    const pct = (xs: number[], p: number) => round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!);
    rows.push({
      load: `one at a time (${cold.length} keys)`,
      path: 'GET /v1/me, first use of a key (cache miss)',
      'req/s': '-',
      'p50 ms': pct(cold, 0.5),
      'p99 ms': pct(cold, 0.99),
      'non-2xx': 0,
      'throughput vs bare': '-',
    });
    rows.push({
      load: `one at a time (${warm.length} keys)`,
      path: 'GET /v1/me, second use (memory cache)',
      'req/s': '-',
      'p50 ms': pct(warm, 0.5),
      'p99 ms': pct(warm, 0.99),
      'non-2xx': 0,
      'throughput vs bare': '-',
    });
  } finally {
    baseline.stop();
    await limited.stop();
  }
  return rows;
}
