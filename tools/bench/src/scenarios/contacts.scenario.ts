/**
 * Contacts at scale, through the gateway: batch import throughput
 * (`POST /v1/contacts/batch`, 1 000 rows a call, several calls in flight),
 * an import job of a 1 M-row CSV (`POST /v1/imports`, contacts-import-job.ts,
 * in a tenant of its own), then `GET /v1/contacts` and
 * `GET /v1/custom-fields/:key/aggregate` latency in a tenant of
 * `BENCH_CONTACTS_COUNT` contacts (default 1 000 000; `--quick`: 20 000).
 * Contacts beyond those of the batches are generated straight into the
 * contacts database with the seed generator when its URL is known
 * (`env.contactsDatabaseUrl` or `BENCH_CONTACTS_DATABASE_URL`); otherwise the
 * latencies are measured over the batches' contacts only, and the table says so.
 * The write rows also give the CPU time per 1 000 rows of the processes
 * involved (contacts-cpu.ts): a shared machine lowers throughput, not that.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTenant, type ApiClient } from '@sigil/testing';
import { percentile, round } from '../load';
import type { BenchEnv, BenchRow, ScenarioModule } from '../scenario';
import { cpuPerThousand, loadNote, loadNow, spentWhenSettled, startCpuMeter } from './contacts-cpu';
import { importJobRow } from './contacts-import-job';
import { mergeRow } from './contacts-merge';

const BATCH = 1000;
const PLANS = ['free', 'starter', 'pro', 'team', 'enterprise'];
/** The fields the seed generator fills too (`tools/seed`): same keys, types and options. */
const FIELDS = [
  { key: 'ltv', label: 'Lifetime value', type: 'number' },
  { key: 'plan', label: 'Plan', type: 'select', options: PLANS },
  { key: 'signup_date', label: 'Signup date', type: 'date' },
  { key: 'interests', label: 'Interests', type: 'multi_select', options: ['news', 'sport', 'music', 'tech', 'travel', 'food'] },
];

/**
 * `BENCH_CONTACTS_NODE_OPTIONS` (e.g. `--max-semi-space-size=32`): Node options of the contacts process only, to
 * compare the import job's RSS and CPU under V8 heap settings without changing the other services;
 * `BENCH_CONTACTS_HEAP_GROWING_PERCENT` sets the service's `HEAP_GROWING_PERCENT` (0: V8's own growing factor).
 */
const contactsEnv: Record<string, string> = {
  ...(process.env['BENCH_CONTACTS_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_CONTACTS_NODE_OPTIONS'] } : {}),
  ...(process.env['BENCH_CONTACTS_HEAP_GROWING_PERCENT'] ? { HEAP_GROWING_PERCENT: process.env['BENCH_CONTACTS_HEAP_GROWING_PERCENT'] } : {}),
};
export const serviceEnv: ScenarioModule['serviceEnv'] = Object.keys(contactsEnv).length ? { contacts: contactsEnv } : {};

export async function run(env: BenchEnv): Promise<BenchRow[]> {
  const quick = env.quick ?? false;
  const target = quick ? 20000 : Number(process.env['BENCH_CONTACTS_COUNT'] ?? 1000000);
  const importBatches = quick ? 10 : Number(process.env['BENCH_CONTACTS_IMPORT_BATCHES'] ?? 50);
  const concurrency = Number(process.env['BENCH_CONTACTS_IMPORT_CONCURRENCY'] ?? 2);
  const samples = quick ? 10 : Number(process.env['BENCH_CONTACTS_SAMPLES'] ?? 50);
  const api = env.api;
  const rows: BenchRow[] = [];

  await defineFields(api);
  const databaseUrl = env.contactsDatabaseUrl ?? process.env['BENCH_CONTACTS_DATABASE_URL'];

  // 1. Import throughput.
  const load = loadNow();
  const meter = await startCpuMeter(env.pids, databaseUrl);
  const imported = await importBatchesOf(api, importBatches, concurrency);
  const cpu = cpuPerThousand(await meter.stop(), importBatches * BATCH);
  const settled = await spentWhenSettled(meter, databaseUrl);
  rows.push({
    benchmark: 'batch import `POST /v1/contacts/batch`',
    'tenant contacts': imported.contacts,
    detail:
      `${importBatches} × ${BATCH} rows, ${concurrency} in flight${imported.retries ? `, ${imported.retries} retried after 504` : ''}; ${loadNote(load)}; ` +
      `until the last answer: ${cpu}; ${settled.settled ? 'with' : 'NOT SETTLED, at'} the relay and consumers done (${(settled.waitedMs / 1000).toFixed(0)} s later): ${cpuPerThousand(settled.spent, importBatches * BATCH)}`,
    throughput: `${imported.perSecond} contacts/s`,
    'p50 ms': imported.p50,
    'p99 ms': imported.p99,
    errors: imported.failedRows,
  });

  // 1b. An import job of a whole file (upload to `completed`, worker RSS, events on Kafka), in a tenant of its own:
  // the read rows below then measure a tenant of the target size, not the target plus the file.
  const importTenant = await createTenant(env.gatewayUrl);
  await defineFields(importTenant.api);
  rows.push(await importJobRow(importTenant.api, quick, env.pids, databaseUrl));
  // The write rows alone (for CPU-per-row runs on a busy machine): no seeding, no read rows, no merge.
  if (process.env['BENCH_CONTACTS_WRITES_ONLY'] === '1') return rows;

  // 2. Grow the tenant to the target size with the seed generator, when the database is reachable.
  let size = imported.contacts;
  if (databaseUrl && target > size) {
    const me = await api.get('/v1/me');
    const tenantId: string | undefined = me.body?.data?.tenant?.id;
    if (!tenantId) throw new Error(`GET /v1/me did not name the tenant: ${me.status}`);
    const seeded = await runSeedGenerator(['--count', String(target - size), '--tenant', tenantId, '--mode', 'live', '--database-url', databaseUrl]);
    size += target - size;
    rows.push({
      benchmark: 'seed generator (direct multi-row INSERT, not through the API)',
      'tenant contacts': size,
      detail: `${target - imported.contacts} rows`,
      throughput: `${Math.round((target - imported.contacts) / seeded.seconds)} contacts/s`,
      'p50 ms': '–',
      'p99 ms': '–',
      errors: 0,
    });
  }
  const sizeNote = size < target ? ` (target ${target}: set BENCH_CONTACTS_DATABASE_URL to seed)` : '';

  // 3. Read latencies: requests one after another (latency, not saturation; it also stays within the plan's rate limit).
  const deep = await api.get('/v1/contacts?limit=100&sort=-updated_at');
  const reads: [string, string][] = [
    ['`GET /v1/contacts?limit=50` (first page)', '/v1/contacts?limit=50'],
    ['`GET /v1/contacts?cursor=…` (next page, by updated_at)', `/v1/contacts?limit=50&cursor=${encodeURIComponent(deep.body?.meta?.next_cursor ?? '')}`],
    ['`GET /v1/contacts?tag=vip`', '/v1/contacts?limit=50&tag=vip'],
    ['`GET /v1/contacts?q=gra` (prefix search)', '/v1/contacts?limit=50&q=gra'],
    ['`GET /v1/contacts?sort=-email`', '/v1/contacts?limit=50&sort=-email'],
    ['`GET /v1/custom-fields/ltv/aggregate` (number)', '/v1/custom-fields/ltv/aggregate'],
    ['`GET /v1/custom-fields/plan/aggregate` (select)', '/v1/custom-fields/plan/aggregate'],
    ['`GET /v1/custom-fields/interests/aggregate` (multi_select)', '/v1/custom-fields/interests/aggregate'],
  ];
  for (const [name, path] of reads) {
    await api.get(path); // warm-up
    const latencies: number[] = [];
    let errors = 0;
    let values: number | undefined;
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const res = await api.get(path);
      latencies.push(performance.now() - t0);
      if (res.status !== 200) errors++;
      // An aggregate's `count`: how many contacts have a value, which is what its cost follows.
      if (path.includes('/aggregate')) values = res.body?.data?.count;
    }
    rows.push({
      benchmark: name,
      'tenant contacts': size,
      detail: `${samples} sequential requests${values !== undefined ? ` over ${values} values` : ''}${sizeNote}`,
      throughput: '–',
      'p50 ms': round(percentile(latencies, 50), 1),
      'p99 ms': round(percentile(latencies, 99), 1),
      errors,
    });
  }
  // 4. Merge (target ≤ 200 ms with 1 000 activities and 10 list memberships).
  rows.push(await mergeRow(api, databaseUrl, quick ? 3 : 10));
  return rows;
}

async function defineFields(api: ApiClient): Promise<void> {
  for (const f of FIELDS) {
    const res = await api.post('/v1/custom-fields', f);
    if (res.status !== 201 && res.status !== 409) throw new Error(`defining ${f.key} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

async function importBatchesOf(api: ApiClient, batches: number, concurrency: number) {
  const latencies: number[] = [];
  let failedRows = 0;
  let retries = 0;
  let next = 0;
  const started = Date.now();
  const stamp = Date.now().toString(36);
  const worker = async () => {
    for (;;) {
      const b = next++;
      if (b >= batches) return;
      const contacts = Array.from({ length: BATCH }, (_, i) => ({
        email: `bench.${stamp}.${b}.${i}@example.com`,
        first_name: i % 3 ? 'Grace' : 'Alan',
        last_name: 'Hopper',
        tags: i % 10 === 0 ? ['vip', 'imported'] : ['imported'],
        custom_fields: { ltv: (i * 37) % 1000, plan: PLANS[i % PLANS.length]! },
      }));
      const t0 = Date.now();
      let res = await api.post('/v1/contacts/batch', { contacts });
      // An upsert by email is safe to repeat: a timed-out batch is sent again (and counted in the latency).
      for (let retry = 0; res.status === 504 && retry < 2; retry++) {
        retries++;
        res = await api.post('/v1/contacts/batch', { contacts });
      }
      latencies.push(Date.now() - t0);
      if (res.status !== 200) throw new Error(`batch ${b} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      failedRows += res.body.data.failed as number;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  return {
    contacts: batches * BATCH - failedRows,
    perSecond: round((batches * BATCH - failedRows) / elapsed, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failedRows,
    retries,
  };
}

/** `npm run seed:contacts` as a child process (built output), so the bench and users run the same generator. */
function runSeedGenerator(args: string[]): Promise<{ seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/tools/seed/src/seed-contacts.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ seconds: (Date.now() - started) / 1000 }) : reject(new Error(`seed generator exited ${code}: ${stderr}`))));
  });
}
