/**
 * What audit and usage recording cost a request (issue #19 target: ≤ 0.2 ms
 * p50 at 500 req/s). Usage is counted on the request path (two map updates
 * in the gateway's onResponse hook, shipped in batches): the same loads run
 * through the bench stack's gateway (recording on) and through a second
 * gateway process with `USAGE_RECORDING_ENABLED=false`, alternately, and the
 * row gives the p50 difference. The audit log costs a write only its event
 * metadata (stamped by the outbox writer in the write's transaction); its
 * recording runs in the keys service off the request path, so the write row
 * measures `PATCH /v1/lists/:id` (an audited change) through both gateways
 * and how long an entry takes to appear in `GET /v1/audit-log`. autocannon's
 * percentiles are whole milliseconds, so each row also gives the difference
 * of the means.
 */
import { join, resolve } from 'node:path';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { ApiClient, createTenant, freePort, KAFKA_BROKERS, REDIS_URL, ServiceProcess } from '@sigil/testing';
import { measure, percentile, round, type LoadSummary } from '../load';
import type { BenchEnv, BenchRow } from '../scenario';

const ROOT = resolve(__dirname, '../../../../..');

export async function run(env: BenchEnv): Promise<BenchRow[]> {
  const seconds = env.quick ? 3 : 10;
  const tenant = await createTenant(env.gatewayUrl, { plan: 'agency' });
  const keys = [tenant.apiKey];
  while (keys.length < 50) keys.push((await tenant.createKey({ name: `governance ${keys.length}` })).key);
  const contact = await tenant.api.post('/v1/contacts', { email: `governance.${Date.now()}@example.com` });
  const list = await tenant.api.post('/v1/lists', { name: 'governance bench' });
  if (contact.status !== 201 || list.status !== 201) throw new Error(`cannot create the bench data: ${contact.status} ${list.status}`);

  const unrecorded = new ServiceProcess(
    'gateway-unrecorded',
    'gateway',
    await freePort(),
    {
      SIGIL_KAFKA_NAMESPACE: KAFKA_NAMESPACE,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PARTITIONS: '6',
      REDIS_URL,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      USAGE_RECORDING_ENABLED: 'false',
    },
    join(ROOT, '.infra/test-logs', KAFKA_NAMESPACE),
  );
  await unrecorded.start();
  const rows: BenchRow[] = [];
  try {
    for (const key of keys) {
      await new ApiClient(env.gatewayUrl, { authorization: `Bearer ${key}` }).get('/v1/me');
      await new ApiClient(unrecorded.url, { authorization: `Bearer ${key}` }).get('/v1/me');
    }
    let n = 0;
    let k = 0;
    const rename = () => JSON.stringify({ name: `governance ${n++}` });
    // Load spread over 50 keys, as the gateway scenario does.
    const load = (url: string, rate: number, method?: 'PATCH', bodyOf?: () => string) =>
      measure({
        url,
        rate,
        method,
        bodyOf,
        connections: 50,
        durationSeconds: seconds,
        headers: bodyOf ? { 'content-type': 'application/json' } : {},
        headersOf: () => ({ authorization: `Bearer ${keys[k++ % keys.length]}` }),
      });
    const cases: { path: string; url: (gw: string) => string; rate: number; method?: 'PATCH'; body?: () => string }[] = [
      { path: 'GET /v1/me', url: (gw) => `${gw}/v1/me`, rate: 500 },
      { path: 'GET /v1/contacts/:id', url: (gw) => `${gw}/v1/contacts/${contact.body.data.id}`, rate: 500 },
      { path: 'PATCH /v1/lists/:id (audited)', url: (gw) => `${gw}/v1/lists/${list.body.data.id}`, rate: 100, method: 'PATCH', body: rename },
    ];
    for (const c of cases) {
      // Off, on, off, on: drift of the shared machine hits both alike; each side keeps its better run.
      const off: LoadSummary[] = [];
      const on: LoadSummary[] = [];
      for (let pass = 0; pass < 2; pass++) {
        off.push(await load(c.url(unrecorded.url), c.rate, c.method, c.body));
        on.push(await load(c.url(env.gatewayUrl), c.rate, c.method, c.body));
      }
      const best = (rs: LoadSummary[]) => rs.reduce((a, b) => (b.p50_ms < a.p50_ms ? b : a));
      const [o, r] = [best(off), best(on)];
      rows.push({
        path: c.path,
        load: `${c.rate} req/s`,
        'p50 ms, recording off': o.p50_ms,
        'p50 ms, recording on': r.p50_ms,
        'p50 added ms': round(r.p50_ms - o.p50_ms, 2),
        // autocannon's percentiles are whole milliseconds; the means are not, so their difference resolves 0.2 ms.
        'mean ms off / on': `${o.mean_ms} / ${r.mean_ms}`,
        'mean added ms': round(r.mean_ms - o.mean_ms, 3),
        'p99 ms off / on': `${o.p99_ms} / ${r.p99_ms}`,
        'req/s off / on': `${o.rps} / ${r.rps}`,
        'non-2xx': o.non2xx + o.errors + r.non2xx + r.errors,
      });
    }
    // Time from an audited change's answer to its entry in the audit log (outbox → Kafka → keys).
    const lags: number[] = [];
    for (let i = 0; i < (env.quick ? 5 : 30); i++) {
      const done = await tenant.api.request('PATCH', `/v1/lists/${list.body.data.id}`, { name: `lag ${i}` });
      const t = performance.now();
      const requestId = done.headers.get('x-request-id');
      for (let tries = 0; tries < 400; tries++) {
        const log = await tenant.session.get(`/v1/audit-log?resource_id=${list.body.data.id}&limit=5`);
        if ((log.body.data as { request_id: string }[]).some((e) => e.request_id === requestId)) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      lags.push(performance.now() - t);
    }
    rows.push({
      path: 'audited change → entry in GET /v1/audit-log',
      load: `one at a time (${lags.length})`,
      'p50 ms, recording off': '-',
      'p50 ms, recording on': round(percentile(lags, 50)),
      'p50 added ms': '-',
      'mean ms off / on': '-',
      'mean added ms': '-',
      'p99 ms off / on': `- / ${round(percentile(lags, 99))}`,
      'req/s off / on': '-',
      'non-2xx': 0,
    });
  } finally {
    await unrecorded.stop();
  }
  return rows;
}
