/**
 * `npm run test:chaos [-- --quick] [--only kill:contacts,restart:kafka] [--rate 20]`:
 * a steady mixed load through the gateway while faults are injected one at a
 * time — kill -9 of each service (then restarted), restarts of Kafka, Redis
 * and PostgreSQL (the private infrastructure instance tools/reliability/chaos/run.sh
 * starts, so nobody else's tests are disturbed), and a stalled webhook
 * receiver. Then the audits (audit.ts). 5xx and unanswered requests are
 * counted inside and outside the fault windows; outside must be zero.
 * Writes a JSON report to bench-results/ and a Markdown summary to stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ALL_SERVICES, EventSpy } from '@sigil/testing';
import { MixedLoad } from '../mixed-load';
import { closeOnSignal } from '../cleanup-on-signal';
import { startReliabilityStack, type ReliabilityStack } from '../reliability-stack';
import { audit, type AuditResult } from './audit';

/** dist/tools/reliability/src/chaos → repository root. */
const ROOT = resolve(__dirname, '../../../../..');

interface Fault {
  name: string;
  inject(platform: ReliabilityStack, quick: boolean): Promise<void>;
}

function infra(command: 'restart', component: string): void {
  const res = spawnSync('bash', [join(ROOT, 'tools/infra/infra.sh'), command, component], { stdio: 'inherit', env: process.env });
  if (res.status !== 0) throw new Error(`infra.sh ${command} ${component} failed (${res.status})`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FAULTS: Fault[] = [
  ...ALL_SERVICES.map((service) => ({
    name: `kill:${service}`,
    async inject(platform: ReliabilityStack) {
      const p = platform.stack.get(service);
      await p.kill();
      await sleep(3000);
      await p.start(120_000);
    },
  })),
  ...['kafka', 'redis', 'postgres'].map((component) => ({
    name: `restart:${component}`,
    async inject() {
      infra('restart', component);
    },
  })),
  {
    name: 'stall:receiver',
    async inject(platform: ReliabilityStack, quick: boolean) {
      const until = Date.now() + (quick ? 15_000 : 60_000);
      // Hang (longer than the sender's timeout) until the stall is over, then answer normally.
      for (const e of platform.endpoints) platform.receiver.respond(e.path, () => (Date.now() < until ? { delayMs: Math.min(until - Date.now(), 20_000), status: 503 } : {}));
      await sleep(until - Date.now());
      for (const e of platform.endpoints) platform.receiver.respond(e.path, () => ({}));
    },
  },
];

interface Options {
  quick: boolean;
  only?: string[];
  rate: number;
  /** A fault not healed by itself within this long is reported as such, and the run goes on. */
  recoverWithinMs: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, rate: 20, recoverWithinMs: 300_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = argv[++i]!.split(',');
    else if (a === '--rate') o.rate = Number(argv[++i]);
    else if (a === '--recover-within') o.recoverWithinMs = Number(argv[++i]) * 1000;
    else throw new Error(`unknown argument ${a}; usage: chaos [--quick] [--only kill:contacts,restart:kafka,…] [--rate N] [--recover-within seconds]`);
  }
  return o;
}

interface Window {
  fault: string;
  start: number;
  end: number;
  recoveredMs: number;
}

/**
 * TestStack pipes a service's stdout and stderr into one log stream with
 * `end: true`: when a process dies, the first pipe to end closes the stream
 * and the other's last bytes throw ERR_STREAM_WRITE_AFTER_END (libs/testing
 * stack.ts; reported). Losing a log tail must not abort a chaos run.
 */
function tolerateLogStreamRace(): void {
  process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_STREAM_WRITE_AFTER_END') return;
    console.error(err);
    process.exit(1);
  });
}

export async function main(argv: string[]): Promise<void> {
  tolerateLogStreamRace();
  const options = parseArgs(argv);
  const chosen = options.only
    ? FAULTS.filter((f) => options.only!.includes(f.name))
    : options.quick
      ? FAULTS.filter((f) => ['kill:contacts', 'stall:receiver'].includes(f.name))
      : FAULTS;
  if (!chosen.length) throw new Error(`no such fault; choose from ${FAULTS.map((f) => f.name).join(', ')}`);
  const settleMs = options.quick ? 5_000 : 15_000;
  console.log(`chaos: faults ${chosen.map((f) => f.name).join(', ')} at ${options.rate} ops/s`);
  const platform = await startReliabilityStack();
  closeOnSignal(() => platform.close());
  const spy = await EventSpy.start();
  const load = new MixedLoad({ gatewayUrl: platform.stack.gatewayUrl, apiKey: platform.tenant.apiKey, rate: options.rate });
  const windows: Window[] = [];
  let results: AuditResult[] = [];
  const started = Date.now();
  try {
    load.start();
    await sleep(settleMs);
    for (const fault of chosen) {
      const start = Date.now();
      console.log(`chaos: ${fault.name} …`);
      await fault.inject(platform, options.quick);
      const healed = await platform.stack.waitForPlatformHealth(ALL_SERVICES, options.recoverWithinMs).then(
        () => true,
        (err: unknown) => {
          console.log(`chaos: ${fault.name} NOT recovered: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        },
      );
      const recovered = Date.now();
      // Clients retrying after the fault still see its tail: the window closes a few seconds after recovery.
      windows.push({ fault: fault.name, start, end: recovered + 5_000, recoveredMs: healed ? recovered - start : NaN });
      if (healed) console.log(`chaos: ${fault.name} recovered after ${((recovered - start) / 1000).toFixed(1)} s`);
      await sleep(settleMs);
    }
    await load.stop();
    console.log('chaos: load stopped; auditing …');
    results = await audit({ platform, spy, acked: load.acked, timeoutMs: options.quick ? 120_000 : 240_000 });
  } finally {
    await load.stop();
    await spy.stop().catch(() => undefined);
    await platform.close();
  }

  // A request belongs to a fault's window if it was in flight at any moment of it (sent before and killed by it, too).
  const overlaps = (r: { sentAt: number; at: number }, w: Window) => r.sentAt <= w.end && r.at >= w.start;
  const inWindow = (r: { sentAt: number; at: number }) => windows.some((w) => overlaps(r, w));
  const bad = (s: number) => s === 0 || s >= 500;
  const faultRows = windows.map((w) => {
    const during = load.responses.filter((r) => overlaps(r, w));
    return { ...w, requests: during.length, failed: during.filter((r) => bad(r.status)).length };
  });
  const outside = load.responses.filter((r) => !inWindow(r));
  const escaped = outside.filter((r) => bad(r.status));
  results.push({
    name: 'no 5xx or unanswered request outside the fault windows',
    ok: escaped.length === 0,
    detail: `${outside.length} requests outside fault windows, ${escaped.length} failed (${[...new Set(escaped.map((r) => `${r.op}:${r.status}`))].join(', ')})`,
  });

  const report = {
    at: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    rate: options.rate,
    duration_s: Math.round((Date.now() - started) / 1000),
    requests: load.responses.length,
    acknowledged_writes: load.acked.length,
    given_up_writes: load.unacknowledged.length,
    faults: faultRows.map((f) => ({
      fault: f.fault,
      recovered_s: Number.isNaN(f.recoveredMs) ? null : +(f.recoveredMs / 1000).toFixed(1),
      requests_in_window: f.requests,
      failed_in_window: f.failed,
      start_s: Math.round((f.start - started) / 1000),
      end_s: Math.round((f.end - started) / 1000),
    })),
    audits: results,
    timeline: timeline(load.responses, started, bad),
  };
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const file = join(ROOT, 'bench-results', `chaos-${report.mode}-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(renderMarkdown(report));
  console.log(`chaos: report in ${file}`);
  const unhealed = report.faults.filter((f) => f.recovered_s === null).map((f) => f.fault);
  if (unhealed.length) console.log(`chaos: did not recover by itself: ${unhealed.join(', ')}`);
  if (results.some((r) => !r.ok) || unhealed.length) throw new Error(`chaos: ${results.filter((r) => !r.ok).length} audit(s) failed, ${unhealed.length} fault(s) not recovered`);
}

/** Requests and failures per 5 s of send time: where a fault's tail ends. */
function timeline(responses: Array<{ sentAt: number; status: number }>, started: number, bad: (status: number) => boolean) {
  const buckets = new Map<number, { t_s: number; requests: number; failed: number }>();
  for (const r of responses) {
    const t = Math.floor((r.sentAt - started) / 5000) * 5;
    const b = buckets.get(t) ?? { t_s: t, requests: 0, failed: 0 };
    b.requests++;
    if (bad(r.status)) b.failed++;
    buckets.set(t, b);
  }
  return [...buckets.values()].sort((a, b) => a.t_s - b.t_s);
}

function renderMarkdown(report: {
  mode: string;
  rate: number;
  duration_s: number;
  requests: number;
  acknowledged_writes: number;
  given_up_writes: number;
  faults: Array<{ fault: string; recovered_s: number | null; requests_in_window: number; failed_in_window: number }>;
  audits: AuditResult[];
}): string {
  const lines = [
    `Chaos run (${report.mode}): ${report.rate} ops/s for ${report.duration_s} s, ${report.requests} requests, ${report.acknowledged_writes} acknowledged writes, ${report.given_up_writes} writes given up.`,
    '',
    '| fault | recovered after (s) | requests in window | 5xx/unanswered in window |',
    '|---|---|---|---|',
    ...report.faults.map((f) => `| ${f.fault} | ${f.recovered_s ?? '**not recovered**'} | ${f.requests_in_window} | ${f.failed_in_window} |`),
    '',
    '| audit | result | detail |',
    '|---|---|---|',
    ...report.audits.map((a) => `| ${a.name} | ${a.ok ? 'pass' : '**FAIL**'} | ${a.detail.replace(/\|/g, '\\|')} |`),
  ];
  return lines.join('\n');
}
