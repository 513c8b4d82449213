/**
 * Two readings of /proc a second apart turned into one line of the chaos
 * runner's CPU sample: how much of one core each watched process used in
 * between (100 = one core busy the whole second; a two-core machine has
 * 200), the machine's total and stolen share in the same unit, and what the
 * watched processes leave unexplained (`other`). Pure: cpu-sampler.ts reads.
 */
import type { MachineTicks, ProcStat } from './proc-stat';

/** A process to account for; `withChildren` adds every process whose parent it is (PostgreSQL's backends). */
export interface WatchedProcess {
  name: string;
  pid: number;
  withChildren?: boolean;
}

/** What the sampler reads at one moment. */
export interface Reading {
  /** Wall clock (ms since the epoch): the sample's `t`. */
  at: number;
  /** A monotonic clock (ms), for the interval. */
  monoMs: number;
  /** Clock ticks since boot (from /proc/uptime): a process started after the last reading is new. */
  bootTicks: number;
  load1: number;
  machine: MachineTicks;
  /** Every process on the machine, by pid. */
  processes: ReadonlyMap<number, ProcStat>;
  /** process.cpuUsage() of the runner itself (user + system, µs): the load generator, event spy and receiver run in it. */
  selfMicros: number;
}

/** One JSONL line: the second before `t`. Shares are % of one core. */
export interface CpuSample {
  t: number;
  load1: number;
  total_pct: number;
  steal_pct: number;
  procs: Record<string, number>;
}

/** The name the runner's own process has in a sample. */
export const RUNNER = 'runner';
/** The machine's total less every watched process (other tests on a shared machine, the kernel, this sampler's shell-outs). */
export const OTHER = 'other';

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Ticks a process spent between the readings. One that started since the last
 * reading spent all of its ticks in between; one there before but not seen
 * then (or a reused pid) is not counted, since its share cannot be told.
 */
function ticksBetween(prev: Reading, next: Reading, pid: number): number {
  const now = next.processes.get(pid);
  if (!now) return 0;
  const before = prev.processes.get(pid);
  if (before && before.startTicks === now.startTicks) return Math.max(0, now.ticks - before.ticks);
  return now.startTicks >= prev.bootTicks ? now.ticks : 0;
}

/**
 * The sample between two readings. A watched process that is not running at
 * the second reading is left out (a killed broker); a PostgreSQL backend that
 * exited in between loses its last second (pools keep theirs open).
 */
export function shareBetween(prev: Reading, next: Reading, watched: readonly WatchedProcess[], ticksPerSecond: number): CpuSample {
  const seconds = Math.max(1e-3, (next.monoMs - prev.monoMs) / 1000);
  const pct = (ticks: number) => (100 * ticks) / ticksPerSecond / seconds;
  const procs: Record<string, number> = {};
  let known = 0;
  for (const w of watched) {
    if (!next.processes.has(w.pid)) continue;
    let ticks = ticksBetween(prev, next, w.pid);
    if (w.withChildren) for (const p of next.processes.values()) if (p.ppid === w.pid) ticks += ticksBetween(prev, next, p.pid);
    procs[w.name] = round1(pct(ticks));
    known += pct(ticks);
  }
  const self = (next.selfMicros - prev.selfMicros) / 1e6 / seconds;
  procs[RUNNER] = round1(100 * self);
  known += 100 * self;
  const machineTicks = next.machine.total - prev.machine.total;
  const ofMachine = (ticks: number) => (machineTicks > 0 ? (100 * next.machine.cpus * ticks) / machineTicks : 0);
  const total = ofMachine(next.machine.busy - prev.machine.busy);
  procs[OTHER] = round1(Math.max(0, total - known));
  return {
    t: next.at,
    load1: Math.round(next.load1 * 100) / 100,
    total_pct: round1(total),
    steal_pct: round1(ofMachine(next.machine.steal - prev.machine.steal)),
    procs,
  };
}
