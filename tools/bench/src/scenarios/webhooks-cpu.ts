/**
 * CPU time behind the webhooks bench's sustained row, read from /proc
 * (utime + stime) for each process that works on a delivery: every service of
 * the bench stack, the PostgreSQL backends of the webhooks database, the
 * shared Redis (its `process_id`, so other users of it count too) and the
 * bench process itself (load generator and the receiver that verifies every
 * signature). Reported as CPU ms per delivery, which compares across runs on
 * a shared machine where deliveries/s does not.
 */
import Redis from 'ioredis';
import { REDIS_URL } from '@sigil/testing';
import { cpuTicks, startCpuMeter, TICKS_PER_SECOND } from './contacts-cpu';

/** utime + stime of a process in ms; undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  const ticks = cpuTicks(pid);
  return ticks === undefined ? undefined : (ticks * 1000) / TICKS_PER_SECOND;
}

async function redisPid(): Promise<number | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

export interface DeliveryCpuMeter {
  /** `CPU per delivery: webhooks 0.41 ms, PostgreSQL (webhooks db) 0.20 ms, …`. */
  stop(deliveries: number): Promise<string>;
}

export async function startDeliveryCpuMeter(pids: Partial<Record<string, number>> | undefined, webhooksDatabaseUrl: string | undefined): Promise<DeliveryCpuMeter> {
  const procs = Object.entries(pids ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
  const redis = await redisPid();
  if (redis !== undefined) procs.push(['Redis (shared)', redis]);
  const before = new Map(procs.map(([name, pid]) => [name, cpuMs(pid) ?? 0]));
  const pg = await startCpuMeter(undefined, webhooksDatabaseUrl);
  const self = process.cpuUsage();
  return {
    async stop(deliveries) {
      const spent: [string, number][] = procs.map(([name, pid]) => [name, (cpuMs(pid) ?? before.get(name)!) - before.get(name)!]);
      const pgSpent = (await pg.stop()).postgres;
      if (pgSpent !== undefined) spent.push(['PostgreSQL (webhooks db)', pgSpent]);
      const own = process.cpuUsage(self);
      spent.push(['bench process (receiver, load)', (own.user + own.system) / 1000]);
      const per = (ms: number) => (deliveries > 0 ? (ms / deliveries).toFixed(3) : '?');
      const total = spent.reduce((n, [, ms]) => n + ms, 0);
      return `CPU per delivery ${per(total)} ms: ${spent
        .sort((a, b) => b[1] - a[1])
        .map(([name, ms]) => `${name} ${per(ms)}`)
        .join(', ')}`;
    },
  };
}
