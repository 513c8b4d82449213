/**
 * The governance targets of issue #19, in one section:
 *
 * - What audit and usage recording cost a request (≤ 0.2 ms p50 at 500
 *   req/s). Usage is counted on the request path (two map updates in the
 *   gateway's onResponse hook, shipped in batches): the same loads run
 *   through the bench stack's gateway (recording on) and through a second
 *   gateway process with `USAGE_RECORDING_ENABLED=false`, alternately, and
 *   the row gives the p50 difference. The audit log costs a write only its
 *   event metadata (stamped by the outbox writer in the write's
 *   transaction); its recording runs in the keys service off the request
 *   path, so the write row measures `PATCH /v1/lists/:id` (an audited
 *   change) through both gateways and how long an entry takes to appear in
 *   `GET /v1/audit-log`. autocannon's percentiles are whole milliseconds, so
 *   each row also gives the difference of the means.
 * - An audit query over 1 000 000 entries with a filter (p99 ≤ 50 ms): the
 *   entries are seeded straight into the stack's keys database (half of them
 *   the bench tenant's), then `GET /v1/audit-log` is timed one request at a
 *   time through the gateway, per filter.
 * - A leaked key stops working at every gateway within 1 s of GitHub's
 *   secret scanning call: a signed report (the scenario's own ECDSA key,
 *   configured at the stack's gateway) per key, each key polled at both
 *   gateways until it answers 401.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { ApiClient, createTenant, freePort, KAFKA_BROKERS, REDIS_URL, ServiceProcess } from '@sigil/testing';
import { measure, percentile, round, type LoadSummary } from '../load';
import type { BenchEnv, BenchRow, ScenarioModule } from '../scenario';

const ROOT = resolve(__dirname, '../../../../..');

/** The scenario's stand-in for GitHub's secret scanning key: its public half is configured at the stack's gateway. */
const GITHUB_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const GITHUB_KEY_ID = 'bench-secret-scanning-key';
export const serviceEnv: ScenarioModule['serviceEnv'] = {
  gateway: {
    SECRET_SCANNING_PUBLIC_KEYS: JSON.stringify({
      public_keys: [{ key_identifier: GITHUB_KEY_ID, key: GITHUB_KEY.publicKey.export({ type: 'spki', format: 'pem' }), is_current: true }],
    }),
  },
};

/** Columns every row of the section has (a row fills what it measures, `-` elsewhere). */
function row(cells: Partial<Record<string, string | number>> & { path: string; load: string; target: string }): BenchRow {
  const columns = ['p50 ms, recording off', 'p50 ms, recording on', 'p50 added ms', 'mean ms off / on', 'mean added ms', 'p99 ms off / on', 'req/s off / on', 'non-2xx'];
  return { ...Object.fromEntries(columns.map((c) => [c, '-'])), ...cells } as BenchRow;
}

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
        target: c.method ? 'audited write: recording off the request path' : '≤ 0.2 ms p50 added',
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
    rows.push(
      row({
        path: 'audited change → entry in GET /v1/audit-log',
        load: `one at a time (${lags.length})`,
        target: 'seconds at most (asynchronous)',
        'p50 ms, recording on': round(percentile(lags, 50)),
        'p99 ms off / on': `- / ${round(percentile(lags, 99))}`,
        'non-2xx': 0,
      }),
    );
    rows.push(...(await leakedKeyRows(env, unrecorded.url)));
    rows.push(...(await auditQueryRows(env)));
  } finally {
    await unrecorded.stop();
  }
  return rows;
}

/**
 * A leaked key stops working at every gateway within 1 s: per key, a signed
 * report to the stack's gateway, then both gateways polled (every 10 ms, both
 * at once) until the key answers 401. Timed from sending the report.
 */
async function leakedKeyRows(env: BenchEnv, secondGatewayUrl: string): Promise<BenchRow[]> {
  const tenant = await createTenant(env.gatewayUrl, { plan: 'agency' });
  const count = env.quick ? 3 : 20;
  const stopped: number[] = [];
  const answered: number[] = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const { key } = await tenant.createKey({ name: `leak ${i}` });
    const gateways = [env.gatewayUrl, secondGatewayUrl].map((url) => new ApiClient(url, { authorization: `Bearer ${key}` }));
    // Warm both gateways' caches: the revocation must evict, not merely miss.
    for (const g of gateways) await g.get('/v1/me');
    const body = JSON.stringify([{ token: key, type: 'sigil_api_key', url: `https://github.com/bench/leak/blob/${i}/.env`, source: 'content' }]);
    const signature = sign('sha256', Buffer.from(body), { key: GITHUB_KEY.privateKey, dsaEncoding: 'der' }).toString('base64');
    const t0 = performance.now();
    const res = await fetch(`${env.gatewayUrl}/v1/secret-scanning/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'github-public-key-identifier': GITHUB_KEY_ID, 'github-public-key-signature': signature },
      body,
    });
    answered.push(performance.now() - t0);
    if (res.status !== 200) failures++;
    const untilRefused = async (g: ApiClient) => {
      while (performance.now() - t0 < 5000) {
        if ((await g.get('/v1/me')).status === 401) return performance.now() - t0;
        await new Promise((r) => setTimeout(r, 10));
      }
      failures++;
      return 5000;
    };
    stopped.push(Math.max(...(await Promise.all(gateways.map(untilRefused)))));
  }
  return [
    row({
      path: 'leaked key: secret scanning call → 401 at both gateways',
      load: `one key at a time (${count})`,
      target: '≤ 1 000 ms',
      'p50 ms, recording on': round(percentile(stopped, 50)),
      'p99 ms off / on': `- / ${round(Math.max(...stopped))} (max)`,
      'non-2xx': failures,
    }),
    row({
      path: 'POST /v1/secret-scanning/verify (one key, revoke)',
      load: `one at a time (${count})`,
      target: '-',
      'p50 ms, recording on': round(percentile(answered, 50)),
      'p99 ms off / on': `- / ${round(percentile(answered, 99))}`,
      'non-2xx': failures,
    }),
  ];
}

const AUDIT_ACTIONS = [
  'api_key.created',
  'api_key.updated',
  'api_key.revoked',
  'api_key.rotated',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'list.created',
  'list.updated',
  'list.deleted',
  'segment.created',
  'segment.updated',
  'segment.deleted',
  'custom_field.created',
  'custom_field.updated',
  'contact.deleted',
  'member.invited',
  'member.joined',
  'user.signed_in',
  'user.sign_in_failed',
];

/**
 * An audit query over 1 000 000 entries with a filter (p99 ≤ 50 ms): the
 * entries go straight into the keys database (half the bench tenant's, the
 * rest three other tenants'; 200 actors, 20 actions, 50 000 resources over
 * 360 days), then each filter is timed through the gateway, one request at a
 * time (a page of 50).
 */
async function auditQueryRows(env: BenchEnv): Promise<BenchRow[]> {
  if (!env.keysDatabaseUrl) return [row({ path: 'audit query over 1 M entries', load: '-', target: '≤ 50 ms p99', 'non-2xx': 'skipped: no keys database URL' })];
  const entries = env.quick ? 20_000 : 1_000_000;
  const me = await env.api.get('/v1/me');
  const tenantId = me.body.data.tenant.id as string;
  const db = new Client({ connectionString: env.keysDatabaseUrl });
  await db.connect();
  try {
    const batch = 100_000;
    for (let from = 1; from <= entries; from += batch) {
      await db.query(
        `INSERT INTO audit_log (id, tenant_id, mode, occurred_at, action, actor_type, actor_id, resource_type, resource_id, ip, user_agent, request_id, changes)
         SELECT 'evt_bench' || lpad(g::text, 10, '0'),
                CASE WHEN g % 2 = 0 THEN $1 ELSE 'ten_bench' || (g % 3) END,
                'live',
                now() - make_interval(secs => (g * 31.1) % 31104000),
                ($4::text[])[1 + g % 20],
                'api_key', 'key_bench' || (g % 200),
                'list', 'lst_bench' || (g % 50000),
                '203.0.113.7', 'bench', 'req_bench' || g, '{"before": null, "after": {}}'::jsonb
           FROM generate_series($2::int, $3::int) g
         ON CONFLICT (id) DO NOTHING`,
        [tenantId, from, Math.min(entries, from + batch - 1), AUDIT_ACTIONS],
      );
    }
    await db.query('ANALYZE audit_log');
  } finally {
    await db.end();
  }
  const filters: [string, string][] = [
    ['none', ''],
    ['action', 'action=list.updated'],
    ['actor_id', 'actor_id=key_bench42'],
    ['resource_id', 'resource_id=lst_bench4242'],
    ['actor_id + action (rare pair)', 'actor_id=key_bench41&action=list.updated'],
    [
      'since + until (one week, 8 months back)',
      `since=${new Date(Date.now() - 240 * 86400_000).toISOString()}&until=${new Date(Date.now() - 233 * 86400_000).toISOString()}`,
    ],
  ];
  const rows: BenchRow[] = [];
  for (const [name, query] of filters) {
    const times: number[] = [];
    let failures = 0;
    for (let i = 0; i < (env.quick ? 20 : 200); i++) {
      const t0 = performance.now();
      const res = await env.api.get(`/v1/audit-log?limit=50${query ? `&${query}` : ''}`);
      times.push(performance.now() - t0);
      if (res.status !== 200) failures++;
    }
    rows.push(
      row({
        path: `GET /v1/audit-log, filter: ${name}`,
        load: `${entries.toLocaleString('en')} entries, one at a time (${times.length})`,
        target: '≤ 50 ms p99',
        'p50 ms, recording on': round(percentile(times, 50)),
        'p99 ms off / on': `- / ${round(percentile(times, 99))}`,
        'non-2xx': failures,
      }),
    );
  }
  return rows;
}
