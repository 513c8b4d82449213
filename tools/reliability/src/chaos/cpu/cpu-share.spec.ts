/**
 * Two readings of /proc turned into a CPU sample line: % of one core per
 * watched process (PostgreSQL with its backends), the runner itself, the
 * machine's total, and what no watched process explains.
 */
import { OTHER, RUNNER, shareBetween, type Reading } from './cpu-share';
import type { ProcStat } from './proc-stat';

const HZ = 100;
const proc = (pid: number, ticks: number, { ppid = 1, start = 0 } = {}): ProcStat => ({ pid, comm: `p${pid}`, ppid, ticks, startTicks: start });

function reading(secondsSinceBoot: number, processes: ProcStat[], machine: { busy: number; steal?: number; total: number }, selfMicros = 0): Reading {
  return {
    at: 1_700_000_000_000 + secondsSinceBoot * 1000,
    monoMs: secondsSinceBoot * 1000,
    bootTicks: secondsSinceBoot * HZ,
    load1: 9.456,
    machine: { steal: 0, ...machine, cpus: 2 },
    processes: new Map(processes.map((p) => [p.pid, p])),
    selfMicros,
  };
}

describe('shareBetween', () => {
  it('gives each process its ticks over the interval as % of one core, with the clock tick', () => {
    // 2 s apart: 150 ticks of a 100 Hz clock are 0.75 core.
    const prev = reading(100, [proc(10, 1000), proc(11, 50)], { busy: 0, total: 0 });
    const next = reading(102, [proc(10, 1150), proc(11, 52)], { busy: 300, total: 400 });
    const s = shareBetween(
      prev,
      next,
      [
        { name: 'kafka-1', pid: 10 },
        { name: 'redis', pid: 11 },
      ],
      HZ,
    );
    expect(s.procs['kafka-1']).toBe(75);
    expect(s.procs['redis']).toBe(1);
    expect(s.t).toBe(next.at);
    expect(s.load1).toBe(9.46);
  });

  it('adds the children of a process watched with them (the postmaster and its backends), a backend born in between with all its ticks', () => {
    const prev = reading(100, [proc(30, 500), proc(31, 200, { ppid: 30, start: 50 * HZ }), proc(40, 900, { ppid: 30, start: 10 })], { busy: 0, total: 0 });
    const next = reading(101, [proc(30, 510), proc(31, 240, { ppid: 30, start: 50 * HZ }), proc(32, 25, { ppid: 30, start: 100 * HZ + 20 }), proc(99, 7000)], {
      busy: 0,
      total: 200,
    });
    // 10 + 40 + 25 ticks; pid 40 exited in between and loses its last second.
    expect(shareBetween(prev, next, [{ name: 'postgres', pid: 30, withChildren: true }], HZ).procs['postgres']).toBe(75);
  });

  it('does not count a reused pid, nor a process there before but unseen, and leaves out a watched process that is not running', () => {
    const prev = reading(100, [proc(10, 1000, { start: 5 })], { busy: 0, total: 0 });
    const next = reading(101, [proc(10, 4000, { start: 6 }), proc(12, 3000, { start: 40 })], { busy: 0, total: 200 });
    const s = shareBetween(
      prev,
      next,
      [
        { name: 'kafka-1', pid: 10 },
        { name: 'kafka-2', pid: 12 },
        { name: 'kafka-3', pid: 13 },
      ],
      HZ,
    );
    expect(s.procs).toMatchObject({ 'kafka-1': 0, 'kafka-2': 0 });
    expect(s.procs).not.toHaveProperty('kafka-3');
  });

  it("counts the runner's own CPU, the machine's total and steal over all cores, and the rest as other", () => {
    const prev = reading(100, [proc(10, 0)], { busy: 1000, steal: 10, total: 2000 }, 5_000_000);
    // 1 s, 2 cores: 200 ticks in all, 150 busy = 150 % of one core; 8 stolen = 8 %.
    const next = reading(101, [proc(10, 60)], { busy: 1150, steal: 18, total: 2200 }, 5_400_000);
    const s = shareBetween(prev, next, [{ name: 'contacts', pid: 10 }], HZ);
    expect(s.total_pct).toBe(150);
    expect(s.steal_pct).toBe(8);
    expect(s.procs).toEqual({ contacts: 60, [RUNNER]: 40, [OTHER]: 50 });
  });
});
