/**
 * The /proc parsers of the chaos runner's CPU sample: a process's stat line,
 * whose command name may hold spaces and parentheses, and the machine's
 * /proc/stat.
 */
import { parseMachineStat, parseProcStat } from './proc-stat';

/** A real line's shape (Linux 6.x: 52 fields): pid, (comm), state, ppid, …, utime 14, stime 15, …, starttime 22, …. */
const statLine = (pid: number, comm: string, { ppid = 1, utime = 0, stime = 0, start = 0 } = {}) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304 1000 0 0 0 ${utime} ${stime} 7 8 20 0 41 0 ${start} 6000000000 90000 18446744073709551615 1 1 0 0 0 0 0 0 2 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;

describe('parseProcStat', () => {
  it('reads pid, command, parent, utime + stime and the start time', () => {
    expect(parseProcStat(statLine(4242, 'java', { ppid: 17, utime: 1500, stime: 230, start: 98765 }))).toEqual({
      pid: 4242,
      comm: 'java',
      ppid: 17,
      ticks: 1730,
      startTicks: 98765,
    });
  });

  it('finds the fields after a command name with spaces and parentheses (it runs to the last ")")', () => {
    const stat = parseProcStat(statLine(31, 'postgres: sigil (x) 1 2) idle', { ppid: 30, utime: 5, stime: 6, start: 7 }));
    expect(stat).toEqual({ pid: 31, comm: 'postgres: sigil (x) 1 2) idle', ppid: 30, ticks: 11, startTicks: 7 });
  });

  it('parses the stat line of this very process', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const self = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(self?.pid).toBe(process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.ticks).toBeGreaterThanOrEqual(0);
  });

  it('refuses what is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (cut short) S 1')).toBeUndefined();
  });
});

describe('parseMachineStat', () => {
  it('sums busy, idle, iowait and steal ticks of the aggregate line and counts the cores', () => {
    const text = [
      'cpu  5000 20 800 6000 30 0 90 240 0 0',
      'cpu0 2500 10 400 3000 15 0 45 120 0 0',
      'cpu1 2500 10 400 3000 15 0 45 120 0 0',
      'intr 123 0 0',
      'ctxt 999',
    ].join('\n');
    expect(parseMachineStat(text)).toEqual({ busy: 5000 + 20 + 800 + 90, steal: 240, total: 5000 + 20 + 800 + 6000 + 30 + 90 + 240, cpus: 2 });
  });
});
