/**
 * CPU time behind a contacts bench row, read from /proc (utime + stime): the
 * gateway and contacts processes of the bench stack, the other services
 * together, and the PostgreSQL backends connected to the contacts database.
 * Wall-clock throughput on a shared machine is only a lower bound; CPU per
 * 1 000 rows says what the work itself cost, and compares across runs.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Kafka, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { KAFKA_BROKERS } from '@sigil/testing';

export const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat); undefined once it is gone. */
export function cpuTicks(pid: number): number | undefined {
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
  const pgLast = new Map(pgBefore);
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
        // Pools close idle connections: a backend gone since the last reading keeps what it had spent then.
        for (const [pid, now] of ticksOf(await backendPids(databaseUrl))) pgLast.set(pid, now);
        let ticks = 0;
        for (const [pid, last] of pgLast) ticks += last - (pgBefore.get(pid) ?? 0);
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

/**
 * Messages the stack's consumer groups have yet to commit, over the topics
 * each has committed on (the bench's own counting consumers left out).
 */
async function consumerLag(admin: Admin): Promise<number> {
  const highs = new Map<string, Map<number, number>>();
  let lag = 0;
  for (const { groupId } of (await admin.listGroups()).groups) {
    if (!groupId.startsWith(`${KAFKA_NAMESPACE}.`) || groupId.includes('.bench-')) continue;
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      let high = highs.get(topic);
      if (!high) {
        high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        highs.set(topic, high);
      }
      for (const p of partitions) if (Number(p.offset) >= 0) lag += Math.max(0, (high.get(p.partition) ?? 0) - Number(p.offset));
    }
  }
  return lag;
}

async function outboxRows(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_events`)).rows[0]?.n ?? 0;
  } finally {
    await db.end();
  }
}

/**
 * What the load cost once its after-effects are done too: the outbox relay
 * and the event consumers work on after the last answer (or a job's
 * `completed`), so a meter stopped there misses part of every contact's
 * cost. Waits (at most `maxMs`) until the contacts outbox is empty and every
 * consumer group of the stack has committed everything, twice in a row a
 * second apart, reading the meter each second (so no PostgreSQL backend
 * closed meanwhile is lost), and returns the CPU spent since the start.
 */
export async function spentWhenSettled(
  meter: CpuMeter,
  databaseUrl: string | undefined,
  maxMs = 180_000,
): Promise<{ spent: CpuSpent; waitedMs: number; settled: boolean }> {
  const started = Date.now();
  const admin = new Kafka({ clientId: 'bench-contacts-settle', brokers: KAFKA_BROKERS, logLevel: 0 }).admin();
  await admin.connect();
  try {
    let quiet = 0;
    let spent = await meter.stop();
    while (Date.now() - started < maxMs) {
      const idle = (databaseUrl ? await outboxRows(databaseUrl) : 0) === 0 && (await consumerLag(admin)) === 0;
      quiet = idle ? quiet + 1 : 0;
      if (quiet >= 2) return { spent, waitedMs: Date.now() - started, settled: true };
      await new Promise((r) => setTimeout(r, 1000));
      spent = await meter.stop();
    }
    return { spent, waitedMs: Date.now() - started, settled: false };
  } finally {
    await admin.disconnect();
  }
}

/** `load 3.1 → 4.2`: the 1-minute load average at the start of a row and now (CPU per row grows with contention too). */
export function loadNote(before: number): string {
  return `load ${before.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
}

export function loadNow(): number {
  return loadavg()[0]!;
}
