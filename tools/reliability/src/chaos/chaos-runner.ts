/**
 * `npm run test:chaos [-- --quick] [--only kill:contacts,restart:kafka] [--rate 20]`:
 * a steady mixed load through the gateway while faults are injected one at a
 * time — kill -9 of each service (then restarted), restarts of Kafka, Redis
 * and PostgreSQL (the private infrastructure instance tools/reliability/chaos/run.sh
 * starts, so nobody else's tests are disturbed), and a stalled webhook
 * receiver. Then the audits (audit.ts). 5xx and unanswered requests are
 * counted inside and outside the fault windows; outside must be zero.
 * On a Kafka cluster (`-- --kafka-brokers 3 --cluster`): kill -9 of a broker,
 * of another one once the first is back, a graceful broker restart, and kill -9
 * of the controller quorum's leader.
 * Writes a JSON report to bench-results/ and a Markdown summary to stdout;
 * beside the report, a CPU sample of every process of the run each second
 * (`.cpu.jsonl`, cpu/cpu-sampler.ts; `--cpu-every <seconds>`) summed up per
 * fault, and, when the run ends, the Kafka nodes' logs (`.broker-logs/`).
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { ALL_SERVICES, EventSpy } from '@sigil/testing';
import { MixedLoad } from '../mixed-load';
import { closeOnSignal } from '../cleanup-on-signal';
import { startReliabilityStack, type ReliabilityStack } from '../reliability-stack';
import { audit, type AuditResult } from './audit';
import { copyBrokerLogs } from './broker-logs';
import { startCpuSampler, type CpuSampler } from './cpu/cpu-sampler';
import { faultCpu, renderCpu, type FaultCpu } from './cpu/cpu-window';
import { infraDir, infraProcesses, kafkaPidFile } from './cpu/watched-processes';
import { inWindow, isFailure, isSteady, summarizeWindow } from './fault-window';
import { rolesOf, type NodeRoles } from './kafka-roles';

/** dist/tools/reliability/src/chaos → repository root. */
const ROOT = resolve(__dirname, '../../../../..');

interface Fault {
  name: string;
  /** Resolves when the fault is over; a Kafka fault returns when its broker accepted connections again, and what the broker did. */
  inject(platform: ReliabilityStack, quick: boolean): Promise<void | Bounced>;
}

/** infra.sh, asynchronously: the load keeps running (and timing out) while it works. */
function infra(...args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', [join(ROOT, 'tools/infra/infra.sh'), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (args[0] !== 'status') process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 || args[0] === 'status' ? resolveRun(out) : reject(new Error(`infra.sh ${args.join(' ')} failed (${code})`))));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface KafkaNode {
  node: number;
  port: number;
  pid?: number;
  quorumLeader: boolean;
}

/** The private instance's Kafka nodes, as `infra.sh status` reports them (pids, the quorum leader). */
async function kafkaNodes(): Promise<KafkaNode[]> {
  const out = await infra('status');
  // "kafka running 127.0.0.1:19092 (pid 7, Kafka 4.4.0)" or, of a cluster,
  // "kafka running 127.0.0.1:29094 (node 2 of 3, pid 8, Kafka 4.4.0, quorum leader)".
  return out
    .split('\n')
    .map((l) => ({ l, m: /^kafka\s+(running|stopped)\s+127\.0\.0\.1:(\d+)\s+\((?:node (\d+) of \d+)?(?:, )?(?:pid (\d+))?/.exec(l) }))
    .filter(({ m }) => m)
    .map(({ l, m }) => ({
      node: Number(m![3] ?? 1),
      port: Number(m![2]),
      pid: m![1] === 'running' && m![4] ? Number(m![4]) : undefined,
      quorumLeader: l.includes('quorum leader'),
    }));
}

/** When did 127.0.0.1:port first accept a TCP connection (polled every 100 ms)? */
async function acceptsConnectionsAt(port: number, timeoutMs = 180_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (ok) return Date.now();
    await sleep(100);
  }
  throw new Error(`127.0.0.1:${port} did not accept connections within ${timeoutMs / 1000} s`);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`pid ${pid} still running after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

interface Bounced {
  /** When the signal was sent. */
  injectedAt: number;
  brokerUpAt: number;
  node: number;
  /** The groups it coordinated and how many partitions it led when it was stopped. */
  roles?: NodeRoles;
}

/**
 * Stops one Kafka node (kill -9, or SIGTERM for a graceful restart), starts it again 5 s
 * later (`infra.sh start kafka` starts the nodes that are down), and waits until every
 * partition has all its replicas in sync again, so the next fault meets a whole cluster.
 * Returns when the node accepted connections again, and what it did before.
 */
async function bounceKafkaNode(target: KafkaNode, signal: 'SIGKILL' | 'SIGTERM'): Promise<Bounced> {
  if (!target.pid) throw new Error(`Kafka node ${target.node} is not running`);
  const roles = await rolesOf(kafkaBrokers(), target.node, `${KAFKA_NAMESPACE}.`);
  if (roles) console.log(`chaos: Kafka node ${target.node} leads ${roles.leads} partitions and coordinates ${roles.coordinates.join(', ') || 'no group'}`);
  console.log(
    `chaos: ${signal === 'SIGKILL' ? 'kill -9' : 'SIGTERM'} Kafka node ${target.node} (pid ${target.pid}${target.quorumLeader ? ', controller quorum leader' : ''})`,
  );
  const injectedAt = Date.now();
  process.kill(target.pid, signal);
  await waitForExit(target.pid, 60_000);
  await sleep(5000);
  const up = acceptsConnectionsAt(target.port);
  // SIGIL_CHAOS_BROKER_BOOT_NICE=10 gives the restarted node's JVM a lower CPU weight until it has caught up:
  // in production a restarting broker boots on its own machine; on this one its JIT and log recovery
  // take the CPU the platform under test needs (docs/reliability.md, "Session 12").
  const bootNice = Number(process.env.SIGIL_CHAOS_BROKER_BOOT_NICE ?? 0);
  const niced = bootNice > 0 ? autogroupNiceWhenStarted(target.node, target.pid, bootNice) : undefined;
  await infra('start', 'kafka');
  const upAt = await up;
  await waitForFullIsr(120_000);
  const pid = await niced?.stop();
  if (pid !== undefined) setAutogroupNice(pid, 0);
  return { injectedAt, brokerUpAt: upAt, node: target.node, roles };
}

/**
 * Sets the nice value of a process's autogroup. infra.sh starts each JVM in its own session (setsid),
 * and with autogroup scheduling (kernel.sched_autogroup_enabled=1, as here) the CPU is shared between
 * sessions first: `nice` on the JVM only orders its own threads and takes nothing back from the
 * platform's session; the autogroup's nice value does (sched(7), "The autogroup feature").
 */
function setAutogroupNice(pid: number, nice: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return true;
  } catch {
    return false;
  }
}

/** Lowers the CPU weight of node's next JVM as soon as its pid file names it; `stop()` returns its pid. */
function autogroupNiceWhenStarted(node: number, oldPid: number, nice: number): { stop(): Promise<number | undefined> } {
  let pid: number | undefined;
  let stopped = false;
  const done = (async () => {
    while (!stopped && pid === undefined) {
      try {
        const read = Number(readFileSync(kafkaPidFile(infraDir(ROOT), node), 'utf8').trim());
        if (read > 0 && read !== oldPid && setAutogroupNice(read, nice)) pid = read;
      } catch {
        // not written yet
      }
      if (pid === undefined) await sleep(50);
    }
    if (pid !== undefined) console.log(`chaos: Kafka node ${node}'s JVM (pid ${pid}) boots at autogroup nice ${nice}`);
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return pid;
    },
  };
}

function kafkaBrokers(): string[] {
  return (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
}

async function waitForFullIsr(timeoutMs: number): Promise<void> {
  const admin = new Kafka({ clientId: 'chaos-isr', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  const deadline = Date.now() + timeoutMs;
  try {
    await admin.connect();
    for (;;) {
      const meta = await admin.fetchTopicMetadata().catch(() => undefined);
      const lagging = meta?.topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${t.name}/${p.partitionId}`));
      if (lagging && lagging.length === 0) return;
      if (Date.now() > deadline) throw new Error(`partitions still missing in-sync replicas: ${lagging?.slice(0, 5).join(', ') ?? 'no metadata'}`);
      await sleep(500);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Nodes killed so far by kill:kafka-broker: the next one picks another. */
const killedBrokers: number[] = [];

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
      await infra('restart', component);
    },
  })),
  {
    // The single development broker dies and comes back 5 s later.
    name: 'kill:kafka',
    async inject() {
      const [node] = await kafkaNodes();
      return bounceKafkaNode(node!, 'SIGKILL');
    },
  },
  {
    // One broker of a cluster dies: one that is not the quorum leader, and not one killed before.
    name: 'kill:kafka-broker',
    async inject() {
      const nodes = await kafkaNodes();
      const target = nodes.find((n) => !n.quorumLeader && !killedBrokers.includes(n.node)) ?? nodes.find((n) => !n.quorumLeader)!;
      killedBrokers.push(target.node);
      return bounceKafkaNode(target, 'SIGKILL');
    },
  },
  {
    name: 'restart:kafka-broker',
    async inject() {
      const nodes = await kafkaNodes();
      const target = nodes.find((n) => !n.quorumLeader && !killedBrokers.includes(n.node)) ?? nodes.find((n) => !n.quorumLeader)!;
      return bounceKafkaNode(target, 'SIGTERM');
    },
  },
  {
    name: 'kill:kafka-quorum-leader',
    async inject() {
      const leader = (await kafkaNodes()).find((n) => n.quorumLeader);
      if (!leader) throw new Error('no controller quorum leader found (is this a Kafka cluster? --kafka-brokers 3)');
      return bounceKafkaNode(leader, 'SIGKILL');
    },
  },
  {
    name: 'stall:receiver',
    async inject(platform: ReliabilityStack, quick: boolean) {
      const until = Date.now() + (quick ? 15_000 : 60_000);
      // Hang (longer than the sender's timeout) until the stall is over, then answer normally.
      for (const e of platform.endpoints)
        platform.receiver.respond(e.path, () => (Date.now() < until ? { delayMs: Math.min(until - Date.now(), 20_000), status: 503 } : {}));
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
  /** How often the CPU sample is taken. */
  cpuEveryMs: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, rate: 20, recoverWithinMs: 300_000, cpuEveryMs: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    // The three-broker scenario (run.sh --kafka-brokers 3 starts the cluster).
    else if (a === '--cluster') o.only = ['kill:kafka-broker', 'kill:kafka-broker', 'restart:kafka-broker', 'kill:kafka-quorum-leader'];
    else if (a === '--only') o.only = argv[++i]!.split(',');
    else if (a === '--rate') o.rate = Number(argv[++i]);
    else if (a === '--recover-within') o.recoverWithinMs = Number(argv[++i]) * 1000;
    else if (a === '--cpu-every') o.cpuEveryMs = Number(argv[++i]) * 1000;
    else
      throw new Error(
        `unknown argument ${a}; usage: chaos [--quick] [--cluster] [--only kill:contacts,restart:kafka,…] [--rate N] [--recover-within seconds] [--cpu-every seconds]`,
      );
  }
  if (!(o.cpuEveryMs >= 100)) throw new Error('--cpu-every takes seconds, at least 0.1');
  return o;
}

/** The CPU sample of the run into `<stem>.cpu.jsonl`: the infrastructure's processes, every service of the stack, the runner itself. */
function sampleCpu(platform: ReliabilityStack, stem: string, everyMs: number): CpuSampler {
  const infra = infraDir(ROOT);
  return startCpuSampler({
    file: `${stem}.cpu.jsonl`,
    everyMs,
    watched: () => [
      ...infraProcesses(infra, kafkaBrokers().length),
      ...platform.stack.processes.filter((p) => p.running && p.pid !== undefined).map((p) => ({ name: p.name, pid: p.pid! })),
    ],
  });
}

/** The Kafka nodes' logs into `<stem>.broker-logs/`, so a later reset does not wipe them; the directory, or null if nothing was copied. */
function keepBrokerLogs(stem: string): string | null {
  const dest = `${stem}.broker-logs`;
  try {
    const copied = copyBrokerLogs(infraDir(ROOT), kafkaBrokers().length, dest);
    if (!copied.length) return null;
    console.log(`chaos: broker logs (${copied.length} files, ${(copied.reduce((n, c) => n + c.bytes, 0) / 1e6).toFixed(1)} MB) kept in ${dest}`);
    return dest;
  } catch (err) {
    console.error(`chaos: could not keep the broker logs: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

function logFaultCpu(fault: string, cpu: FaultCpu): void {
  console.log(`chaos: CPU in ${fault}'s window (mean % of one core): ${renderCpu(cpu.window)}; in the 10 s before: ${renderCpu(cpu.before)}`);
}

interface Window {
  fault: string;
  /** The 1-minute load average when the fault began. */
  loadAtFault: number;
  start: number;
  end: number;
  recoveredMs: number;
  /** A Kafka fault: when the node was killed (or stopped), and when it accepted connections again. */
  injectedAt?: number;
  brokerUpAt?: number;
  /** A Kafka fault: the node, and the groups it coordinated and partitions it led. */
  node?: number;
  roles?: NodeRoles;
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
  // In the order given, repeats allowed (kill:kafka-broker twice kills two different brokers).
  const chosen = options.only
    ? options.only.map((name) => FAULTS.find((f) => f.name === name)).filter((f): f is Fault => !!f)
    : options.quick
      ? FAULTS.filter((f) => ['kill:contacts', 'stall:receiver'].includes(f.name))
      : FAULTS;
  if (!chosen.length) throw new Error(`no such fault; choose from ${FAULTS.map((f) => f.name).join(', ')}`);
  const settleMs = options.quick ? 5_000 : 15_000;
  console.log(`chaos: faults ${chosen.map((f) => f.name).join(', ')} at ${options.rate} ops/s`);
  // Named when the run starts: the CPU sample is written beside the report from then on.
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const stem = join(ROOT, 'bench-results', `chaos-${options.quick ? 'quick' : 'full'}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const platform = await startReliabilityStack();
  const cpu = sampleCpu(platform, stem, options.cpuEveryMs);
  closeOnSignal(async () => {
    cpu.stop();
    keepBrokerLogs(stem);
  });
  closeOnSignal(() => platform.close());
  const spy = await EventSpy.start();
  const load = new MixedLoad({ gatewayUrl: platform.stack.gatewayUrl, apiKey: platform.tenant.apiKey, rate: options.rate });
  const windows: Window[] = [];
  let results: AuditResult[] = [];
  const started = Date.now();
  const loadAtStart = loadavg().map((l) => +l.toFixed(2));
  let measureFrom = started;
  let warmUp = { seconds: 0, failed: 0 };
  let brokerLogs: string | null = null;
  try {
    load.start();
    // Steady state before any fault (a chaos experiment's first step): a platform started seconds ago
    // on a cluster whose JVMs are still compiling may time out its first requests. Those are reported
    // (warm_up), not counted against the faults; every acknowledged write is still audited.
    measureFrom = await steadyState(load, options.quick ? 5_000 : 10_000);
    warmUp = { seconds: Math.round((measureFrom - started) / 1000), failed: load.responses.filter((r) => r.sentAt < measureFrom && isFailure(r.status)).length };
    console.log(`chaos: steady after ${warmUp.seconds} s of load (${warmUp.failed} warm-up requests failed)`);
    await sleep(settleMs);
    for (const fault of chosen) {
      const start = Date.now();
      const loadAtFault = +loadavg()[0]!.toFixed(2);
      console.log(`chaos: ${fault.name} … (load average ${loadAtFault})`);
      const injected = await fault.inject(platform, options.quick);
      const healed = await platform.stack.waitForPlatformHealth(ALL_SERVICES, options.recoverWithinMs).then(
        () => true,
        (err: unknown) => {
          console.log(`chaos: ${fault.name} NOT recovered: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        },
      );
      const recovered = Date.now();
      // Clients retrying after the fault still see its tail: the window closes a few seconds after recovery.
      windows.push({
        fault: fault.name,
        loadAtFault,
        start,
        end: recovered + 5_000,
        recoveredMs: healed ? recovered - start : NaN,
        injectedAt: injected ? injected.injectedAt : undefined,
        brokerUpAt: injected ? injected.brokerUpAt : undefined,
        node: injected ? injected.node : undefined,
        roles: injected ? injected.roles : undefined,
      });
      if (healed) console.log(`chaos: ${fault.name} recovered after ${((recovered - start) / 1000).toFixed(1)} s`);
      await sleep(settleMs);
      logFaultCpu(fault.name, faultCpu(cpu.samples, windows.at(-1)!));
    }
    await load.stop();
    console.log('chaos: load stopped; auditing …');
    results = await audit({ platform, spy, acked: load.acked, timeoutMs: options.quick ? 120_000 : 240_000 });
  } finally {
    cpu.stop();
    await load.stop();
    await spy.stop().catch(() => undefined);
    await platform.close();
    brokerLogs = keepBrokerLogs(stem);
  }

  const measured = load.responses.filter((r) => r.sentAt >= measureFrom);
  const faultRows = windows.map((w) => ({ ...w, ...summarizeWindow(measured, w), cpu: faultCpu(cpu.samples, w) }));
  const outside = measured.filter((r) => !windows.some((w) => inWindow(r, w)));
  const escaped = outside.filter((r) => isFailure(r.status));
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
    requests: measured.length,
    failed_requests: measured.filter((r) => isFailure(r.status)).length,
    // Load before the steady state the faults start from (sent before it; not in the figures above).
    warm_up_s: warmUp.seconds,
    warm_up_requests: load.responses.length - measured.length,
    warm_up_failed: warmUp.failed,
    // The machine's load while this ran (the figures depend on it; the machine may be shared).
    loadavg_at_start: loadAtStart,
    loadavg_at_end: loadavg().map((l) => +l.toFixed(2)),
    acknowledged_writes: load.acked.length,
    given_up_writes: load.unacknowledged.length,
    faults: faultRows.map((f) => ({
      fault: f.fault,
      loadavg_at_fault: f.loadAtFault,
      recovered_s: Number.isNaN(f.recoveredMs) ? null : +(f.recoveredMs / 1000).toFixed(1),
      requests_in_window: f.requests,
      failed_in_window: f.failed,
      // Requests sent this long after the fault began (its window, which includes finding the node) still failed: the fault's tail.
      last_failure_after_fault_s: seconds(f.lastFailureAfterStartMs),
      // ... after the kill itself; and after the broker accepted connections again (negative: none after).
      last_failure_after_injection_s: seconds(f.lastFailureAfterInjectionMs),
      last_failure_after_broker_up_s: seconds(f.lastFailureAfterBrokerUpMs),
      injected_after_fault_began_s: f.injectedAt === undefined ? null : seconds(f.injectedAt - f.start),
      // What the failed requests answered (504 upstream_timeout, 503, 0 = no answer), which they were, when they were sent.
      failed_by_status: f.failedByStatus,
      failed_by_op: f.failedByOp,
      failed_sent_before_injection: f.failedSentBeforeInjection,
      failed_per_second_after_injection: f.failedPerSecondAfterInjection,
      // When (UTC) the node was stopped and accepted connections again: to read the services' and brokers' logs by.
      injected_at: f.injectedAt === undefined ? null : new Date(f.injectedAt).toISOString(),
      broker_up_at: f.brokerUpAt === undefined ? null : new Date(f.brokerUpAt).toISOString(),
      // Each failed request: operation, status, sent this long after the injection, failed this long after it was sent.
      failed_requests: f.failedRequests.map((r) => ({ op: r.op, status: r.status, sent_after_injection_s: seconds(r.sentAfterInjectionMs), after_s: seconds(r.ms) })),
      kafka_node: f.node ?? null,
      partitions_led: f.roles?.leads ?? null,
      groups_coordinated: f.roles?.coordinates ?? null,
      start_s: Math.round((f.start - started) / 1000),
      end_s: Math.round((f.end - started) / 1000),
      // Who took the CPU (mean % of one core, top 6; the machine's total in the same unit) in the window and in the 10 s before it.
      cpu: f.cpu,
    })),
    audits: results,
    timeline: timeline(load.responses, started, isFailure),
    // One line per sample: {t (ms since the epoch, the end of its second), load1, total_pct, steal_pct, procs: {name: % of one core}}.
    cpu_samples_file: `${stem}.cpu.jsonl`,
    cpu_clock_ticks_per_second: cpu.ticksPerSecond,
    broker_logs_dir: brokerLogs,
  };
  const file = `${stem}.json`;
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(renderMarkdown(report));
  console.log(`chaos: report in ${file}`);
  const unhealed = report.faults.filter((f) => f.recovered_s === null).map((f) => f.fault);
  if (unhealed.length) console.log(`chaos: did not recover by itself: ${unhealed.join(', ')}`);
  if (results.some((r) => !r.ok) || unhealed.length)
    throw new Error(`chaos: ${results.filter((r) => !r.ok).length} audit(s) failed, ${unhealed.length} fault(s) not recovered`);
}

/**
 * Waits until every request sent during `windowMs` has its answer and none failed, nor any sent since
 * whose answer is known (`isSteady`); returns the end of that window (measuring starts there). A request's outcome is known 15 s after it was sent at the
 * latest (the load's client time-out). Gives up after 3 minutes: measuring then starts at once, and
 * whatever still fails counts.
 */
async function steadyState(load: MixedLoad, windowMs: number, maxMs = 180_000): Promise<number> {
  const began = Date.now();
  const settled = 16_000;
  for (;;) {
    await sleep(1000);
    const end = Date.now() - settled;
    if (end - windowMs < began) continue;
    if (isSteady(load.responses, end, windowMs)) return end;
    if (Date.now() - began > maxMs) return Date.now();
  }
}

function seconds(ms: number | undefined): number | null {
  return ms === undefined ? null : +(ms / 1000).toFixed(1);
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
  failed_requests: number;
  warm_up_s: number;
  warm_up_requests: number;
  warm_up_failed: number;
  loadavg_at_start: number[];
  loadavg_at_end: number[];
  acknowledged_writes: number;
  given_up_writes: number;
  faults: Array<{
    fault: string;
    recovered_s: number | null;
    requests_in_window: number;
    failed_in_window: number;
    last_failure_after_fault_s: number | null;
    last_failure_after_injection_s: number | null;
    last_failure_after_broker_up_s: number | null;
    failed_by_status: Record<string, number>;
    failed_per_second_after_injection: number[];
    loadavg_at_fault: number;
    kafka_node: number | null;
    partitions_led: number | null;
    groups_coordinated: string[] | null;
    cpu: FaultCpu;
  }>;
  audits: AuditResult[];
}): string {
  const pct = report.requests ? ((100 * report.failed_requests) / report.requests).toFixed(2) : '0';
  const lines = [
    `Chaos run (${report.mode}): ${report.rate} ops/s for ${report.duration_s} s, ${report.requests} requests (${report.failed_requests} = ${pct} % 5xx/unanswered), ${report.acknowledged_writes} acknowledged writes, ${report.given_up_writes} writes given up; load average at the start ${report.loadavg_at_start.join(' ')}, at the end ${report.loadavg_at_end.join(' ')}. Before that, ${report.warm_up_s} s of load until a steady state: ${report.warm_up_requests} requests, ${report.warm_up_failed} failed (not counted).`,
    '',
    '| fault | load average | recovered after (s) | requests in window | 5xx/unanswered in window | answered | last failed request sent after the fault began (s) | … after the kill (s) | … after the broker accepted connections (s) | failures by second after the kill |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.faults.map(
      (f) =>
        `| ${f.fault} | ${f.loadavg_at_fault} | ${f.recovered_s ?? '**not recovered**'} | ${f.requests_in_window} | ${f.failed_in_window} | ${
          Object.entries(f.failed_by_status)
            .map(([status, n]) => `${status === '0' ? 'no answer' : status}: ${n}`)
            .join(', ') || '–'
        } | ${f.last_failure_after_fault_s ?? '–'} | ${f.last_failure_after_injection_s ?? '–'} | ${f.last_failure_after_broker_up_s ?? '–'} | ${f.failed_per_second_after_injection.join(' ') || '–'} |`,
    ),
    ...report.faults
      .filter((f) => f.kafka_node !== null)
      .map(
        (f) =>
          `- ${f.fault}: node ${f.kafka_node}, leading ${f.partitions_led ?? '?'} partitions, coordinator of ${f.groups_coordinated?.length ? f.groups_coordinated.join(', ') : 'no group'}`,
      ),
    '',
    'CPU by process (mean % of one core, top 6; `machine` is the total in the same unit, 200 = both cores of a two-core machine busy):',
    ...report.faults.map((f) => `- ${f.fault}: in the window ${renderCpu(f.cpu.window)}; in the 10 s before ${renderCpu(f.cpu.before)}`),
    '',
    '| audit | result | detail |',
    '|---|---|---|',
    ...report.audits.map((a) => `| ${a.name} | ${a.ok ? 'pass' : '**FAIL**'} | ${a.detail.replace(/\|/g, '\\|')} |`),
  ];
  return lines.join('\n');
}
