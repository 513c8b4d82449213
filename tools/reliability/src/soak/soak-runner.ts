/**
 * `npm run test:soak [-- --minutes 30] [--rate 100] [--webhook-retention 5m]`:
 * the mixed load at a steady rate for a long time, sampling every 10 s the
 * p50/p99 latency of that interval, the resident memory of every service
 * process (/proc/<pid>/status VmRSS), the Kafka consumer lag of every
 * consumer group of the stack (committed offsets vs. topic end offsets) and
 * the rows and size of the webhooks tables that grow with traffic. The
 * webhooks service runs with a short retention (`--webhook-retention`,
 * purged every tenth of it), so those tables must level off: once the run
 * lasts three retentions, the soak fails if their rows or size grew by more
 * than 10 % / 20 % from the middle third to the last. Writes
 * docs/reliability-soak.csv and the plot docs/reliability-soak.png
 * (tools/reliability/soak/plot.py), and prints a summary: memory growth
 * after warm-up, the lag trend and the tables' trend.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { KAFKA_NAMESPACE, parseDuration } from '@sigil/contracts';
import { KAFKA_BROKERS } from '@sigil/testing';
import { MixedLoad } from '../mixed-load';
import { closeOnSignal } from '../cleanup-on-signal';
import { startReliabilityStack } from '../reliability-stack';

const ROOT = resolve(__dirname, '../../../../..');
const SAMPLE_MS = 10_000;

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
  } catch {
    return NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Total lag per consumer group of this stack's namespace (group name without the namespace). */
async function consumerLag(admin: ReturnType<Kafka['admin']>): Promise<Record<string, number>> {
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${KAFKA_NAMESPACE}.`) && !g.includes('.spy.'));
  const out: Record<string, number> = {};
  for (const groupId of groups) {
    let lag = 0;
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      if (!topic.startsWith(`${KAFKA_NAMESPACE}.`) || topic.includes('reply')) continue;
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
      for (const p of partitions) {
        const committed = Number(p.offset);
        const end = ends.get(p.partition) ?? 0;
        lag += committed < 0 ? end : Math.max(0, end - committed);
      }
    }
    out[groupId.slice(KAFKA_NAMESPACE.length + 1)] = lag;
  }
  return out;
}

/** The webhooks tables that grow with traffic and that retention must keep bounded. */
const WEBHOOK_TABLES = ['webhook_deliveries', 'webhook_attempts', 'webhook_event_bodies', 'event_inbox'];

/** Rows and total size (with indexes and TOAST, MB) of each table. */
async function tableSizes(db: Client): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of WEBHOOK_TABLES) {
    const { rows } = await db.query(`SELECT count(*)::int AS n, pg_total_relation_size($1::regclass) AS bytes FROM ${table}`, [table]);
    out[`rows_${table}`] = Number(rows[0].n);
    out[`mb_${table}`] = Math.round(Number(rows[0].bytes) / 104_857.6) / 10;
  }
  return out;
}

function parseArgs(argv: string[]): { minutes: number; rate: number; retentionMs: number } {
  const o = { minutes: 30, rate: 100, retentionMs: 5 * 60_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--minutes') o.minutes = Number(argv[++i]);
    else if (a === '--rate') o.rate = Number(argv[++i]);
    else if (a === '--webhook-retention') o.retentionMs = parseDuration(argv[++i] ?? '') ?? NaN;
    else throw new Error(`unknown argument ${a}; usage: soak [--minutes 30] [--rate 100] [--webhook-retention 5m]`);
  }
  if (!(o.retentionMs >= 60_000)) throw new Error('--webhook-retention: a duration of at least 1m, e.g. 5m');
  return o;
}

export async function main(argv: string[]): Promise<void> {
  const { minutes, rate, retentionMs } = parseArgs(argv);
  console.log(`soak: ${rate} ops/s for ${minutes} min, webhook retention ${retentionMs / 1000} s, sampling every ${SAMPLE_MS / 1000} s`);
  const platform = await startReliabilityStack({
    endpoints: 1,
    webhookEnv: { WEBHOOK_RETENTION: `${retentionMs}ms`, WEBHOOK_PURGE_INTERVAL: `${Math.max(5000, Math.round(retentionMs / 10))}ms` },
  });
  closeOnSignal(() => platform.close());
  const db = new Client({ connectionString: platform.stack.databaseUrl('webhooks') });
  await db.connect();
  const admin = new Kafka({ clientId: 'soak-lag', brokers: KAFKA_BROKERS, logLevel: 0 }).admin();
  await admin.connect();
  // No client retries: a soak measures the steady state, and retries would turn a slow patch into a storm.
  const load = new MixedLoad({ gatewayUrl: platform.stack.gatewayUrl, apiKey: platform.tenant.apiKey, rate, keepResponses: false, retryForMs: 0 });
  const services = platform.stack.processes.map((p) => p.name);
  const rows: Array<Record<string, number>> = [];
  const lagGroups = new Set<string>();
  const started = Date.now();
  try {
    load.start();
    while (Date.now() - started < minutes * 60_000) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS - ((Date.now() - started) % SAMPLE_MS)));
      const { latencies, ok, errors } = load.drainLatencies();
      latencies.sort((a, b) => a - b);
      // A slow broker must not stretch the sampling interval: no answer within 5 s is a gap in the lag series.
      const lag = await Promise.race([
        consumerLag(admin).catch(() => ({}) as Record<string, number>),
        new Promise<Record<string, number>>((r) => setTimeout(() => r({}), 5000)),
      ]);
      for (const g of Object.keys(lag)) lagGroups.add(g);
      const row: Record<string, number> = {
        t_s: Math.round((Date.now() - started) / 1000),
        rps: Math.round(((ok + errors) / (SAMPLE_MS / 1000)) * 10) / 10,
        errors,
        p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
        p99_ms: Math.round(percentile(latencies, 99) * 10) / 10,
        lag_total: Object.keys(lag).length ? Object.values(lag).reduce((a, b) => a + b, 0) : NaN,
      };
      for (const p of platform.stack.processes) row[`rss_${p.name}_mb`] = rssMb(p.pid);
      for (const [g, v] of Object.entries(lag)) row[`lag_${g}`] = v;
      Object.assign(row, await tableSizes(db).catch(() => ({})));
      rows.push(row);
      console.log(
        `soak ${row['t_s']}s: ${row['rps']} req/s p50 ${row['p50_ms']} ms p99 ${row['p99_ms']} ms errors ${errors} lag ${row['lag_total']} rss ${services.map((s) => `${s}=${row[`rss_${s}_mb`]}`).join(' ')}`,
      );
    }
  } finally {
    await load.stop();
    await admin.disconnect().catch(() => undefined);
    await db.end().catch(() => undefined);
    await platform.close();
  }

  const columns = [
    't_s',
    'rps',
    'errors',
    'p50_ms',
    'p99_ms',
    ...services.map((s) => `rss_${s}_mb`),
    'lag_total',
    ...[...lagGroups].sort().map((g) => `lag_${g}`),
    ...WEBHOOK_TABLES.flatMap((t) => [`rows_${t}`, `mb_${t}`]),
  ];
  const csv = [columns.join(','), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
  const csvFile = join(ROOT, 'docs/reliability-soak.csv');
  writeFileSync(csvFile, csv);
  const venvBin = spawnSync('bash', [join(ROOT, 'tools/reliability/venv.sh')], { encoding: 'utf8' }).stdout.trim();
  const plot = spawnSync(join(venvBin, 'python'), [join(ROOT, 'tools/reliability/soak/plot.py'), csvFile, join(ROOT, 'docs/reliability-soak.png')], { stdio: 'inherit' });
  if (plot.status !== 0) console.error('soak: plotting failed (is the venv installable?)');
  console.log(summary(rows, services, minutes, rate));
  const tables = tableTrend(rows, minutes * 60_000 >= 3 * retentionMs);
  console.log(tables.text);
  // Pending deliveries are never purged: a machine that cannot keep up grows a backlog, and fails here too.
  if (!tables.levelled) throw new Error('soak: the webhooks tables did not level off under the retention (see the table above)');
}

/**
 * The webhooks tables' rows and size, mean of the middle third of the run vs
 * the last third. With a retention of at most a third of the run both thirds
 * are past the ramp, so a table that levels off changes little; one that
 * grows without bound grows by half from one third to the next.
 */
export function tableTrend(rows: Array<Record<string, number>>, judged: boolean): { text: string; levelled: boolean } {
  const third = Math.floor(rows.length / 3);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const lines = ['', '| webhooks table | rows, middle third | rows, last third | change | MB, middle third | MB, last third | change |', '|---|---|---|---|---|---|---|'];
  let levelled = true;
  for (const t of WEBHOOK_TABLES) {
    const pick = (k: string, part: Array<Record<string, number>>) => mean(part.map((r) => r[k]!).filter((x) => x !== undefined && !Number.isNaN(x)));
    const [r1, r2] = [pick(`rows_${t}`, rows.slice(third, 2 * third)), pick(`rows_${t}`, rows.slice(2 * third))];
    const [m1, m2] = [pick(`mb_${t}`, rows.slice(third, 2 * third)), pick(`mb_${t}`, rows.slice(2 * third))];
    const rowGrowth = r1 ? (r2 - r1) / r1 : 0;
    const sizeGrowth = m1 ? (m2 - m1) / m1 : 0;
    if (judged && (rowGrowth > 0.1 || sizeGrowth > 0.2)) levelled = false;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    lines.push(`| ${t} | ${Math.round(r1)} | ${Math.round(r2)} | ${pct(rowGrowth)} | ${m1.toFixed(1)} | ${m2.toFixed(1)} | ${pct(sizeGrowth)} |`);
  }
  lines.push(
    judged
      ? levelled
        ? 'The webhooks tables levelled off (rows within 10 %, size within 20 %, middle third → last third).'
        : 'FAILED: a webhooks table kept growing (more than 10 % more rows or 20 % more MB from the middle third to the last).'
      : "The run is shorter than three retentions: the tables' trend is shown, not judged.",
  );
  return { text: lines.join('\n'), levelled };
}

/** Memory growth after warm-up (first fifth of the run) and the lag trend, as Markdown. */
function summary(rows: Array<Record<string, number>>, services: string[], minutes: number, rate: number): string {
  const warm = rows.slice(Math.floor(rows.length / 5));
  const half = Math.floor(warm.length / 2);
  const mean = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).reduce((a, b) => a + b, 0) / Math.max(1, xs.filter((x) => !Number.isNaN(x)).length);
  const lines = [
    `Soak: ${rate} ops/s offered for ${minutes} min (${rows.length} samples).`,
    '',
    '| process | RSS after warm-up, first half (MB) | second half (MB) | change |',
    '|---|---|---|---|',
  ];
  for (const s of services) {
    const a = mean(warm.slice(0, half).map((r) => r[`rss_${s}_mb`]!));
    const b = mean(warm.slice(half).map((r) => r[`rss_${s}_mb`]!));
    lines.push(`| ${s} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(((b - a) / a) * 100).toFixed(1)} % |`);
  }
  const p = (k: string, xs: Array<Record<string, number>>) => mean(xs.map((r) => r[k]!)).toFixed(1);
  lines.push(
    '',
    `Throughput ${p('rps', warm)} req/s; p50 ${p('p50_ms', warm)} ms, p99 ${p('p99_ms', warm)} ms (means of the 10-s samples after warm-up); errors ${rows.reduce((a, r) => a + r['errors']!, 0)}.`,
    `Consumer lag (all groups): mean ${p('lag_total', warm.slice(0, half))} in the first half after warm-up, ${p('lag_total', warm.slice(half))} in the second; max ${Math.max(...rows.map((r) => r['lag_total']!).filter((x) => !Number.isNaN(x)))}.`,
  );
  return lines.join('\n');
}
