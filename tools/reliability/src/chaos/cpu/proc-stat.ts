/**
 * Parsers for the two /proc files the chaos runner's CPU sampler reads: a
 * process's `/proc/<pid>/stat` (its CPU ticks, parent and start time) and the
 * machine's `/proc/stat` (busy, idle and stolen ticks over all cores). Pure:
 * the sampler (cpu-sampler.ts) does the reading.
 *
 * tools/bench/src/scenarios/contacts-cpu.ts reads utime + stime too, but
 * privately and without the parent or start time, and a tool may import only
 * libraries (the Nx boundary rule), so this is the chaos runner's own.
 */

export interface ProcStat {
  pid: number;
  /** The command name (field 2), without its parentheses. */
  comm: string;
  ppid: number;
  /** utime + stime (fields 14 and 15): clock ticks spent on the CPU by all its threads. */
  ticks: number;
  /** starttime (field 22): clock ticks after boot when it started; tells a new process from an old one with a reused pid. */
  startTicks: number;
}

/**
 * One `/proc/<pid>/stat` line; undefined if it is not one. The command name
 * may hold spaces and parentheses (`(java) (x)`), so it runs to the LAST `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ") ": state (field 3) is [0], ppid (4) [1], utime (14) [11], stime (15) [12], starttime (22) [19].
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const [ppid, utime, stime, startTicks] = [fields[1], fields[11], fields[12], fields[19]].map(Number);
  if (!Number.isInteger(pid) || [ppid, utime, stime, startTicks].some((n) => n === undefined || !Number.isFinite(n))) return undefined;
  return { pid, comm: text.slice(open + 1, close), ppid: ppid!, ticks: utime! + stime!, startTicks: startTicks! };
}

export interface MachineTicks {
  /** Ticks the cores ran anything: user, nice, system, irq, softirq (guest time is inside user and nice). */
  busy: number;
  /** Ticks the hypervisor gave to someone else while this machine wanted to run. */
  steal: number;
  /** All ticks: busy, idle, iowait and steal. */
  total: number;
  /** The number of cores (`cpuN` lines). */
  cpus: number;
}

/** The aggregate `cpu` line of `/proc/stat` and the count of `cpuN` lines. */
export function parseMachineStat(text: string): MachineTicks {
  const lines = text.split('\n');
  const aggregate = lines.find((l) => /^cpu\s/.test(l));
  if (!aggregate) throw new Error('/proc/stat has no "cpu" line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = aggregate.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal, cpus: lines.filter((l) => /^cpu\d+\s/.test(l)).length || 1 };
}
