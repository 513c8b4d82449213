/**
 * Runs every benchmark in one go on this machine: infrastructure up, a bare
 * Fastify baseline and the whole platform (every service its own process),
 * then the core comparison (`GET /v1/contacts/:id` through gateway → Kafka →
 * contacts → reply, against the baseline's `GET /`) at fixed rates and at
 * saturation, then every `scenarios/*.scenario.js`. Figures are only
 * comparable within one run: read the ratios.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg, platform, arch, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, type Admin, type Consumer } from 'kafkajs';
import { EventTopics, KAFKA_NAMESPACE } from '@sigil/contracts';
import { contactInput, createTenant, freePort, KAFKA_BROKERS, ServiceProcess, TestStack, type ServiceName } from '@sigil/testing';
import { renderMarkdown, updateDocs, writeResults, type BenchResults, type SectionResult } from './bench-report';
import { measure, percentile, round, type LoadSummary } from './load';
import type { BenchRow, ScenarioModule } from './scenario';

/** dist/tools/bench/src → repository root. */
const ROOT = resolve(__dirname, '../../../..');

export interface BenchOptions {
  quick: boolean;
  only?: string;
  /** Splice the tables into docs/benchmarks.md even for a quick or partial run. */
  docs: boolean;
  /** CPU-profile every service process (`node --cpu-prof`) into bench-results/profiles/<run>/. */
  profile: boolean;
}

export function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = { quick: false, docs: false, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--docs') options.docs = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--only') options.only = argv[++i];
    else if (arg?.startsWith('--only=')) options.only = arg.slice('--only='.length);
    else throw new Error(`unknown argument ${arg}; usage: npm run bench -- [--quick] [--only core|<scenario>] [--docs] [--profile]`);
  }
  if (options.only === '') throw new Error('--only needs a name: core or a scenario name');
  return options;
}

interface Load {
  label: string;
  rate?: number;
  connections: number;
}

/**
 * The bench stack's own settings. Rate limiting is off: plan limits (1 000
 * req/min at most) would turn a load test into a test of 429s; the limiter's
 * cost (one Redis round trip) is small beside the Kafka round trip.
 */
const BENCH_SERVICE_ENV: Partial<Record<ServiceName, Record<string, string>>> = {
  gateway: { RATE_LIMIT_ENABLED: 'false' },
};
/** Every service: the production default of 6 partitions per topic (tests use 3). */
const BENCH_ENV: Record<string, string> = { KAFKA_TOPIC_PARTITIONS: '6' };

type CoreTarget = 'read' | 'me' | 'write';

const LOADS: (Load & { targets: CoreTarget[] })[] = [
  { label: 'one at a time', connections: 1, targets: ['read'] },
  { label: '200 req/s', rate: 200, connections: 50, targets: ['read', 'me', 'write'] },
  { label: '300 req/s', rate: 300, connections: 50, targets: ['me', 'write'] },
  { label: '500 req/s', rate: 500, connections: 50, targets: ['read'] },
  { label: 'saturation', connections: 50, targets: ['read', 'me', 'write'] },
];

function log(msg: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export async function main(argv: string[]): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const results: BenchResults = {
    date: new Date().toISOString(),
    commit: spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || 'unknown',
    quick: options.quick,
    ...(options.only ? { only: options.only } : {}),
    duration_seconds: 0,
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${platform()} ${arch()}`,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      load_average_before: loadavg(),
    },
    sections: [],
  };

  const scenarios = scenarioFiles().filter((s) => !options.only || options.only === s.name);
  const runCore = !options.only || options.only === 'core';
  if (!runCore && !scenarios.length) {
    process.stderr.write(
      `--only ${options.only}: no such benchmark (core, ${scenarioFiles()
        .map((s) => s.name)
        .join(', ')})\n`,
    );
    process.exit(2);
  }

  log('infrastructure up (tools/infra/infra.sh up)');
  const infra = spawnSync('bash', [join(ROOT, 'tools/infra/infra.sh'), 'up'], { cwd: ROOT, stdio: 'inherit' });
  if (infra.status !== 0) {
    process.stderr.write('infrastructure did not come up; see above\n');
    process.exit(1);
  }

  let baseline: ChildProcess | undefined;
  let stack: TestStack | undefined;
  const cleanup = async () => {
    baseline?.kill('SIGTERM');
    await stack?.close();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    log('starting the platform (every service its own process) and the bare Fastify baseline');
    const modules = new Map<string, Partial<ScenarioModule> | Error>();
    const serviceEnv: Partial<Record<ServiceName, Record<string, string>>> = structuredClone(BENCH_SERVICE_ENV);
    for (const scenario of scenarios) {
      try {
        const mod = (await import(scenario.file)) as Partial<ScenarioModule>;
        modules.set(scenario.name, mod);
        for (const [service, env] of Object.entries(mod.serviceEnv ?? {}) as [ServiceName, Record<string, string>][]) {
          serviceEnv[service] = { ...serviceEnv[service], ...env };
        }
      } catch (err) {
        modules.set(scenario.name, err instanceof Error ? err : new Error(String(err)));
      }
    }
    const profileDir = options.profile ? join(ROOT, 'bench-results/profiles', results.date.replace(/[:.]/g, '-')) : undefined;
    if (profileDir) {
      for (const service of ['gateway', 'keys', 'contacts', 'segments', 'webhooks'] as ServiceName[]) {
        serviceEnv[service] = { ...serviceEnv[service], SIGIL_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${join(profileDir, service)}` };
      }
      log(`CPU profiles of every service go to ${profileDir} (summary: node dist/tools/bench/src/profile-summary.js ${profileDir})`);
    }
    const started = await startBaseline();
    baseline = started.child;
    const baselineUrl = started.url;
    stack = await TestStack.start({ env: BENCH_ENV, serviceEnv });
    log(`gateway ${stack.gatewayUrl}, baseline ${baselineUrl}, logs in ${stack.logDir}`);

    if (runCore) results.sections.push(await timed('core', 'Gateway → Kafka → contacts → reply vs bare Fastify', () => core(stack!, baselineUrl, options)));

    for (const scenario of scenarios) {
      results.sections.push(
        await timed(scenario.name, `Scenario: ${scenario.name}`, async () => {
          assertStackRunning(stack!);
          const mod = modules.get(scenario.name);
          if (mod instanceof Error) throw new Error(`${scenario.file} does not load: ${mod.message}`);
          if (typeof mod?.run !== 'function') throw new Error(`${scenario.file} exports no run()`);
          const tenant = await createTenant(stack!.gatewayUrl);
          return mod.run({
            gatewayUrl: stack!.gatewayUrl,
            api: tenant.api,
            quick: options.quick,
            contactsDatabaseUrl: stack!.processes.some((p) => p.service === 'contacts') ? stack!.databaseUrl('contacts') : undefined,
            segmentsDatabaseUrl: stack!.processes.some((p) => p.service === 'segments') ? stack!.databaseUrl('segments') : undefined,
            keysDatabaseUrl: stack!.processes.some((p) => p.service === 'keys') ? stack!.databaseUrl('keys') : undefined,
            webhooksDatabaseUrl: stack!.processes.some((p) => p.service === 'webhooks') ? stack!.databaseUrl('webhooks') : undefined,
            pids: Object.fromEntries(stack!.processes.filter((p) => p.name === p.service && p.pid).map((p) => [p.service, p.pid!])),
            startReplica: (service) => startReplica(stack!, service),
          });
        }),
      );
    }
  } catch (err) {
    results.sections.push({ name: 'setup', title: 'Setup', rows: [], error: err instanceof Error ? err.message : String(err), seconds: 0 });
    log(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    log('stopping the platform and the baseline');
    await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }

  results.machine.load_average_after = loadavg();
  results.duration_seconds = round((Date.now() - started) / 1000, 1);
  const file = writeResults(ROOT, results);
  log(`results: ${file} (and bench-results/latest.json, latest.md)`);
  if ((!options.quick && !options.only) || options.docs) log(`tables written to ${updateDocs(ROOT, results)}`);
  else log('quick or partial run: docs/benchmarks.md left as it is (add --docs to overwrite it)');
  process.stdout.write('\n' + renderMarkdown(results) + '\n');
  process.exit(results.sections.some((s) => s.error) ? 1 : 0);
}

/** Longest a section may take before the run moves on without it. */
const SECTION_TIMEOUT_MS = 20 * 60 * 1000;

async function timed(name: string, title: string, fn: () => Promise<BenchRow[]>): Promise<SectionResult> {
  log(`▶ ${name}`);
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const rows = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`gave up after ${SECTION_TIMEOUT_MS / 60000} min`)), SECTION_TIMEOUT_MS);
      }),
    ]);
    if (!Array.isArray(rows)) throw new Error('run() did not return an array of rows');
    log(`✔ ${name} (${rows.length} rows)`);
    return { name, title, rows, seconds: round((Date.now() - t0) / 1000, 1) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`✘ ${name}: ${message}`);
    return { name, title, rows: [], error: message, seconds: round((Date.now() - t0) / 1000, 1) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The request path against the bare server, load by load (interleaved, so
 * drift hits both): the read `GET /v1/contacts/:id` (gateway → Kafka →
 * contacts → PostgreSQL → reply), `GET /v1/me` (auth only, no Kafka) and the
 * write `POST /v1/contacts` (unique emails and a tag; through the outbox to
 * Kafka, with the segments and webhooks consumers running). After each write
 * load: when its events reached Kafka (broker timestamp − the event's
 * `occurred_at`) and how long the consumers took to catch up.
 */
async function core(stack: TestStack, baselineUrl: string, options: BenchOptions): Promise<BenchRow[]> {
  const tenant = await createTenant(stack.gatewayUrl);
  const created = await tenant.api.post('/v1/contacts', contactInput());
  if (created.status !== 201) throw new Error(`creating the bench contact answered ${created.status}: ${JSON.stringify(created.body)}`);
  const contactUrl = `${stack.gatewayUrl}/v1/contacts/${created.body.data.id as string}`;
  const check = await tenant.api.get(`/v1/contacts/${created.body.data.id as string}`);
  if (check.status !== 200) throw new Error(`reading the bench contact answered ${check.status}`);

  const seconds = options.quick ? 3 : 10;
  const run = Date.now().toString(36);
  let n = 0;
  const writeBody = () => JSON.stringify({ email: `bench-${run}-${n++}@example.com`, first_name: 'Bench', tags: ['bench'] });
  const base = { name: 'bare Fastify `GET /`', url: `${baselineUrl}/`, headers: {} };
  const targets: Record<CoreTarget, { name: string; url: string; headers: Record<string, string>; method?: 'POST'; bodyOf?: () => string }> = {
    read: { name: 'gateway `GET /v1/contacts/:id`', url: contactUrl, headers: tenant.api.defaultHeaders },
    me: { name: 'gateway `GET /v1/me` (limiter off; on: gateway scenario)', url: `${stack.gatewayUrl}/v1/me`, headers: tenant.api.defaultHeaders },
    write: {
      name: 'gateway `POST /v1/contacts`',
      url: `${stack.gatewayUrl}/v1/contacts`,
      headers: { ...tenant.api.defaultHeaders, 'content-type': 'application/json' },
      method: 'POST',
      bodyOf: writeBody,
    },
  };
  log(`warming up (${options.quick ? 1 : 3} s each)`);
  for (const t of [base, targets.read, targets.me, targets.write]) {
    await measure({ ...t, connections: 10, durationSeconds: options.quick ? 1 : 3 });
  }

  const events = await EventTimes.start();
  const rows: BenchRow[] = [];
  try {
    for (const load of LOADS) {
      const baseline = await measureTarget(base, load);
      rows.push(row(base.name, load, baseline, baseline));
      for (const name of load.targets) {
        const target = targets[name];
        if (name === 'write') events.reset();
        const summary = await measureTarget(target, load);
        const extra: Record<string, number | string> = {};
        if (name === 'write') {
          const caughtUp = await events.secondsUntilConsumersCaughtUp(30);
          const lagMs = events.percentiles();
          extra['created/s'] = round((summary.status_codes['201'] ?? 0) / seconds, 1);
          extra['event p99 ms'] = lagMs.p99;
          extra['consumers caught up s'] = caughtUp ?? '> 30';
          log(`    created ${extra['created/s']}/s, event on Kafka p50 ${lagMs.p50} / p99 ${lagMs.p99} ms, consumers caught up in ${extra['consumers caught up s']} s`);
        }
        rows.push({ ...row(target.name, load, summary, baseline), ...extra });
      }
    }
  } finally {
    await events.stop();
  }
  return rows;

  async function measureTarget(target: (typeof targets)[CoreTarget] | typeof base, load: Load): Promise<LoadSummary> {
    log(`  ${target.name} @ ${load.label}, ${load.connections} connections, ${seconds} s`);
    const summary = await measure({ ...target, connections: load.connections, durationSeconds: seconds, rate: load.rate });
    assertStackRunning(stack);
    log(`    ${summary.rps} req/s, p50 ${summary.p50_ms} ms, p99 ${summary.p99_ms} ms, errors ${summary.errors}, non-2xx ${summary.non2xx}`);
    return summary;
  }
}

/**
 * Watches the contacts event topic during the write loads: how long after its
 * write (`occurred_at`) each event was on Kafka (the broker's timestamp), and
 * how long every other consumer group of this stack (segments, webhooks)
 * takes to read up to the end of the topic once the load stops.
 */
class EventTimes {
  private lags: number[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly group: string,
  ) {}

  static async start(): Promise<EventTimes> {
    const kafka = new Kafka({ clientId: 'bench-events', brokers: KAFKA_BROKERS, logLevel: 0 });
    const group = `${KAFKA_NAMESPACE}.bench-events`;
    const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
    const admin = kafka.admin();
    await Promise.all([consumer.connect(), admin.connect()]);
    const times = new EventTimes(consumer, admin, group);
    await consumer.subscribe({ topics: [EventTopics.contacts], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const occurred = Date.parse((JSON.parse(message.value.toString()) as { occurred_at: string }).occurred_at);
        if (Number.isFinite(occurred)) times.lags.push(Number(message.timestamp) - occurred);
      },
    });
    return times;
  }

  reset(): void {
    this.lags = [];
  }

  percentiles(): { p50: number; p99: number } {
    return { p50: percentile(this.lags, 50), p99: percentile(this.lags, 99) };
  }

  /** Seconds from now until every consumer group of this stack has read the contacts topic to its end. */
  async secondsUntilConsumersCaughtUp(limitSeconds: number): Promise<number | undefined> {
    const t0 = Date.now();
    const topic = EventTopics.contacts;
    while (Date.now() - t0 < limitSeconds * 1000) {
      const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
      const groups = (await this.admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${KAFKA_NAMESPACE}.`) && g !== this.group);
      let lag = 0;
      for (const groupId of groups) {
        for (const t of await this.admin.fetchOffsets({ groupId, topics: [topic] })) {
          for (const p of t.partitions) {
            const committed = Number(p.offset);
            if (committed >= 0) lag += Math.max(0, (ends.get(p.partition) ?? 0) - committed);
          }
        }
      }
      if (lag === 0) return round((Date.now() - t0) / 1000, 1);
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
  }
}

/** Figures of a dead stack are only connection errors: stop with the reason instead. */
let extraReplicas = 0;

/** One more process of `service` with its first process's environment (same database, queue and Kafka group). */
async function startReplica(stack: TestStack, service: ServiceName): Promise<{ url: string; stop: () => Promise<void> }> {
  const first = stack.get(service);
  const replica = new ServiceProcess(`${service}-extra-${++extraReplicas}`, service, await freePort(), first.env, stack.logDir);
  const stop = async () => {
    await replica.stop();
    const at = stack.processes.indexOf(replica);
    if (at >= 0) stack.processes.splice(at, 1);
  };
  stack.processes.push(replica); // stopped with the stack if the scenario fails before stopping it
  await replica.start().catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url: replica.url, stop };
}

function assertStackRunning(stack: TestStack): void {
  const dead = stack.processes.filter((p) => !p.running);
  if (dead.length) {
    throw new Error(`${dead.map((p) => p.name).join(', ')} exited during the measurement; see ${dead.map((p) => p.logFile).join(', ')}`);
  }
}

function row(target: string, load: Load, s: LoadSummary, base: LoadSummary): BenchRow {
  const ratio = (a: number, b: number) => (b > 0 ? Number((a / b).toPrecision(3)) : '–');
  return {
    target,
    load: load.label,
    connections: load.connections,
    'req/s': s.rps,
    'mean ms': s.mean_ms,
    'p50 ms': s.p50_ms,
    'p99 ms': s.p99_ms,
    'max ms': s.max_ms,
    errors: s.errors,
    'non-2xx': s.non2xx,
    'req/s ÷ bare': ratio(s.rps, base.rps),
    'mean ÷ bare': ratio(s.mean_ms, base.mean_ms),
    'p50 ÷ bare': ratio(s.p50_ms, base.p50_ms),
    'p99 ÷ bare': ratio(s.p99_ms, base.p99_ms),
  };
}

function scenarioFiles(): { name: string; file: string }[] {
  const dir = join(__dirname, 'scenarios');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.scenario.js'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.scenario.js'.length), file: join(dir, f) }));
}

/** Starts the bare Fastify server in its own process; resolves with its URL. */
function startBaseline(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(__dirname, 'baseline-server.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('baseline server did not start in 10 s')), 10000);
    child.once('exit', (code) => rej(new Error(`baseline server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString())?.[1];
      if (port) {
        clearTimeout(timer);
        res({ child, url: `http://127.0.0.1:${port}` });
      }
    });
  });
}
