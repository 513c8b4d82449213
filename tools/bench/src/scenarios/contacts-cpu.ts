/**
 * CPU time behind a contacts bench row, read from /proc (utime + stime): the
 * gateway and contacts processes of the bench stack, the other services
 * together, and the PostgreSQL backends connected to the contacts database.
 * Wall-clock throughput on a shared machine is only a lower bound; CPU per
 * 1 000 rows says what the work itself cost, and compares across runs.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client } from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat); undefined once it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

async function backendPids(databaseUrl: string): Promise<number[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const rows = (await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)).rows;
    return rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}

function ticksOf(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const t = cpuTicks(pid);
    if (t !== undefined) ticks.set(pid, t);
  }
  return ticks;
}

/** CPU milliseconds spent meanwhile, by who spent them. */
export interface CpuSpent {
  gateway: number;
  contacts: number;
  otherServices: number;
  /** Backends of the contacts database; undefined when its URL is unknown. */
  postgres?: number;
}

export interface CpuMeter {
  stop(): Promise<CpuSpent>;
}

/**
 * Starts counting. PostgreSQL backends are found again at the end: one that
 * connected meanwhile counts whole (all its time is after the start); one
 * that ended meanwhile is lost (pools keep theirs open).
 */
export async function startCpuMeter(pids: Partial<Record<string, number>> | undefined, databaseUrl: string | undefined): Promise<CpuMeter> {
  const services = Object.entries(pids ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
  const before = ticksOf(services.map(([, pid]) => pid));
  const pgBefore = databaseUrl ? ticksOf(await backendPids(databaseUrl)) : undefined;
  return {
    async stop() {
      const ms = (ticks: number) => Math.round((ticks * 1000) / TICKS_PER_SECOND);
      const spentBy = (pid: number) => (cpuTicks(pid) ?? before.get(pid) ?? 0) - (before.get(pid) ?? 0);
      const spent: CpuSpent = { gateway: 0, contacts: 0, otherServices: 0 };
      for (const [service, pid] of services) {
        if (service === 'gateway') spent.gateway += ms(spentBy(pid));
        else if (service === 'contacts') spent.contacts += ms(spentBy(pid));
        else spent.otherServices += ms(spentBy(pid));
      }
      if (databaseUrl && pgBefore) {
        let ticks = 0;
        for (const [pid, now] of ticksOf(await backendPids(databaseUrl))) ticks += now - (pgBefore.get(pid) ?? 0);
        spent.postgres = ms(ticks);
      }
      return spent;
    },
  };
}

/** `CPU per 1 000 rows: contacts 180 ms, PostgreSQL (contacts db) 260 ms, gateway 90 ms, other services 120 ms`. */
export function cpuPerThousand(spent: CpuSpent, rows: number): string {
  if (rows <= 0) return 'CPU per 1 000 rows: no rows';
  const per = (ms: number) => `${Math.round((ms * 1000) / rows)} ms`;
  const parts = [`contacts ${per(spent.contacts)}`];
  if (spent.postgres !== undefined) parts.push(`PostgreSQL (contacts db) ${per(spent.postgres)}`);
  parts.push(`gateway ${per(spent.gateway)}`, `other services ${per(spent.otherServices)}`);
  return `CPU per 1 000 rows: ${parts.join(', ')}`;
}

/** Busy CPU of all the services together, per second, under which they count as idle (each idles at ~1 % of a core). */
const IDLE_MS_PER_SECOND = 100;

/**
 * What the load cost once its after-effects are done too: the outbox relay
 * and the event consumers work on after the last answer (or a job's
 * `completed`), so a meter stopped there misses part of every contact's
 * cost. Waits until the services' CPU falls to idle for two seconds in a row
 * (at most `maxMs`) and returns the CPU spent since the start, and how long
 * the wait was.
 */
export async function spentWhenSettled(meter: CpuMeter, maxMs = 120_000): Promise<{ spent: CpuSpent; waitedMs: number }> {
  const started = Date.now();
  const busy = (s: CpuSpent) => s.gateway + s.contacts + s.otherServices;
  let last = await meter.stop();
  let quiet = 0;
  while (Date.now() - started < maxMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await meter.stop();
    quiet = busy(now) - busy(last) < IDLE_MS_PER_SECOND ? quiet + 1 : 0;
    last = now;
    if (quiet >= 2) break;
  }
  return { spent: last, waitedMs: Date.now() - started };
}

/** `load 3.1 → 4.2`: the 1-minute load average at the start of a row and now (CPU per row grows with contention too). */
export function loadNote(before: number): string {
  return `load ${before.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
}

export function loadNow(): number {
  return loadavg()[0]!;
}
