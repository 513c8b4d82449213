/**
 * The chaos runner's CPU sample: every second (or as configured) it reads
 * /proc — every process's stat, so PostgreSQL's backends can be found by
 * their parent; the machine's /proc/stat and /proc/uptime — and appends one
 * JSONL line of each watched process's share of one core (cpu-share.ts) to
 * the file beside the report. The samples stay in memory too, for the
 * per-fault summaries (cpu-window.ts). A scan of ~100 processes takes about
 * a millisecond, synchronously, in the load generator's process.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { shareBetween, type CpuSample, type Reading, type WatchedProcess } from './cpu-share';
import { parseMachineStat, parseProcStat, type ProcStat } from './proc-stat';

/** USER_HZ, read once: `getconf CLK_TCK` (100 on Linux here); 100 if getconf is missing. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

function readProcesses(): Map<number, ProcStat> {
  const processes = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat) processes.set(stat.pid, stat);
    } catch {
      // exited between the listing and the read
    }
  }
  return processes;
}

function read(ticksPerSecond: number): Reading {
  const usage = process.cpuUsage();
  return {
    at: Date.now(),
    monoMs: performance.now(),
    bootTicks: Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * ticksPerSecond,
    load1: loadavg()[0]!,
    machine: parseMachineStat(readFileSync('/proc/stat', 'utf8')),
    processes: readProcesses(),
    selfMicros: usage.user + usage.system,
  };
}

export interface CpuSampler {
  readonly samples: readonly CpuSample[];
  readonly ticksPerSecond: number;
  stop(): void;
}

/**
 * Starts sampling into `file`. `watched` is asked at every sample, so a
 * restarted broker or service is followed under its new pid.
 */
export function startCpuSampler(options: { file: string; everyMs: number; watched: () => WatchedProcess[] }): CpuSampler {
  const ticksPerSecond = clockTicksPerSecond();
  const samples: CpuSample[] = [];
  let last = read(ticksPerSecond);
  const timer = setInterval(() => {
    try {
      const next = read(ticksPerSecond);
      const sample = shareBetween(last, next, options.watched(), ticksPerSecond);
      last = next;
      samples.push(sample);
      appendFileSync(options.file, `${JSON.stringify(sample)}\n`);
    } catch (err) {
      // A lost second must not stop the run; the gap shows in the file.
      console.error(`chaos: CPU sample failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }, options.everyMs);
  timer.unref();
  return { samples, ticksPerSecond, stop: () => clearInterval(timer) };
}
