/**
 * The per-fault CPU summary of the chaos report: mean % of one core per
 * process over the fault's window and the 10 s before it, the top few.
 */
import type { CpuSample } from './cpu-share';
import { faultCpu, meanShares, renderCpu, summarizeCpu, topShares } from './cpu-window';

const sample = (t: number, procs: Record<string, number>, total_pct = 150): CpuSample => ({ t, load1: 9, total_pct, steal_pct: 2, procs });

describe('meanShares', () => {
  it('averages over every sample, a process missing from one counting 0 there (a killed broker)', () => {
    expect(meanShares([sample(1, { 'kafka-2': 90, contacts: 40 }), sample(2, { contacts: 60 }), sample(3, { 'kafka-2': 30, contacts: 50 })])).toEqual({
      'kafka-2': 40,
      contacts: 50,
    });
  });
});

describe('topShares', () => {
  it('keeps the n largest, largest first', () => {
    const means = { a: 5, b: 70, c: 20, d: 90, e: 1, f: 33, g: 12 };
    expect(topShares(means, 6).map((s) => s.name)).toEqual(['d', 'b', 'f', 'c', 'g', 'a']);
    expect(topShares(means, 2)).toEqual([
      { name: 'd', pct: 90 },
      { name: 'b', pct: 70 },
    ]);
  });
});

describe('faultCpu', () => {
  // A fault from t = 20 000 to 25 000; a sample covers the second before its t.
  const samples = [
    sample(9_000, { contacts: 99 }), // more than 10 s before
    sample(11_000, { contacts: 20, 'kafka-1': 10 }),
    sample(20_000, { contacts: 30, 'kafka-1': 10 }), // its second ends as the fault begins: before
    sample(21_000, { contacts: 100, 'kafka-1': 150, postgres: 20 }, 190),
    sample(25_000, { contacts: 80, 'kafka-1': 50, postgres: 40 }, 170),
    sample(26_000, { contacts: 5 }), // after the window
  ];

  it('summarizes the window and the 10 s before it', () => {
    const cpu = faultCpu(samples, { start: 20_000, end: 25_000 });
    expect(cpu.window).toEqual({
      samples: 2,
      total_pct: 180,
      steal_pct: 2,
      top: [
        { name: 'kafka-1', pct: 100 },
        { name: 'contacts', pct: 90 },
        { name: 'postgres', pct: 30 },
      ],
    });
    expect(cpu.before.samples).toBe(2);
    expect(cpu.before.top).toEqual([
      { name: 'contacts', pct: 25 },
      { name: 'kafka-1', pct: 10 },
    ]);
    expect(renderCpu(cpu.window)).toBe('machine 180 (steal 2): kafka-1 100, contacts 90, postgres 30');
  });

  it('says so when no sample fell in a span', () => {
    const none = summarizeCpu(samples, 30_000, 40_000);
    expect(none).toEqual({ samples: 0, total_pct: 0, steal_pct: 0, top: [] });
    expect(renderCpu(none)).toBe('no samples');
  });
});
