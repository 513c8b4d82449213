/**
 * Who took the CPU around one chaos fault: the mean share of one core of
 * each process of the CPU sample over the fault's window (fault-window.ts'
 * span, from the fault to 5 s after recovery) and over the 10 s before it,
 * the top few, as the chaos report and its console output give them.
 */
import type { CpuSample } from './cpu-share';

export interface CpuShare {
  name: string;
  /** Mean % of one core. */
  pct: number;
}

export interface CpuWindowSummary {
  /** Samples in the span (each covers the second before its `t`). */
  samples: number;
  /** The machine's mean busy share (% of one core; a two-core machine has 200), and stolen by the hypervisor. */
  total_pct: number;
  steal_pct: number;
  /** The processes that took most, in descending order. */
  top: CpuShare[];
}

export interface FaultCpu {
  window: CpuWindowSummary;
  before: CpuWindowSummary;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The samples whose second ends in (from, to]. */
function samplesIn(samples: readonly CpuSample[], from: number, to: number): CpuSample[] {
  return samples.filter((s) => s.t > from && s.t <= to);
}

/**
 * Mean share per process over the samples; a process missing from a sample
 * (not running: a killed broker) counts 0 there, so the means add up to the
 * CPU actually used.
 */
export function meanShares(samples: readonly CpuSample[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const s of samples) for (const [name, pct] of Object.entries(s.procs)) sums[name] = (sums[name] ?? 0) + pct;
  return Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, round1(sum / samples.length)]));
}

/** The `n` largest shares, largest first (ties by name, so the order is stable). */
export function topShares(means: Readonly<Record<string, number>>, n: number): CpuShare[] {
  return Object.entries(means)
    .map(([name, pct]) => ({ name, pct }))
    .sort((a, b) => b.pct - a.pct || a.name.localeCompare(b.name))
    .slice(0, n);
}

export function summarizeCpu(samples: readonly CpuSample[], from: number, to: number, top = 6): CpuWindowSummary {
  const within = samplesIn(samples, from, to);
  const mean = (pick: (s: CpuSample) => number) => (within.length ? round1(within.reduce((sum, s) => sum + pick(s), 0) / within.length) : 0);
  return { samples: within.length, total_pct: mean((s) => s.total_pct), steal_pct: mean((s) => s.steal_pct), top: topShares(meanShares(within), top) };
}

/** The fault's window, and the `beforeMs` before it began. */
export function faultCpu(samples: readonly CpuSample[], span: { start: number; end: number }, beforeMs = 10_000, top = 6): FaultCpu {
  return { window: summarizeCpu(samples, span.start, span.end, top), before: summarizeCpu(samples, span.start - beforeMs, span.start, top) };
}

/** `machine 185 (steal 3): contacts 96, kafka-2 71, …` — % of one core. */
export function renderCpu(s: CpuWindowSummary): string {
  if (!s.samples) return 'no samples';
  return `machine ${s.total_pct} (steal ${s.steal_pct}): ${s.top.map((p) => `${p.name} ${p.pct}`).join(', ')}`;
}
