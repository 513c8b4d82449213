/**
 * What each service costs at rest: starts the whole platform (every service
 * its own process, as the bench does), lets it settle, then reads each
 * process's CPU time from /proc over a window with no traffic at all and
 * prints it as a percentage of one core. Target: ≤ 1 % per service.
 *
 *   npm run build && node dist/tools/bench/src/idle-cpu.js [--seconds 60] [--settle 15] [--profile <dir>]
 *
 * `--profile <dir>` CPU-profiles every service (read with profile-summary.js).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

// Before @sigil/contracts loads (it reads the namespace once): a namespace of its own, never a dev stack's.
process.env['SIGIL_KAFKA_NAMESPACE'] = `idle${randomBytes(3).toString('hex')}`;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number of seconds`);
  return value;
}

async function main(): Promise<void> {
  const seconds = option('--seconds', 60);
  const settle = option('--settle', 15);
  const { TestStack } = await import('@sigil/testing');
  const profileAt = process.argv.indexOf('--profile');
  const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
  const serviceEnv = profileDir
    ? Object.fromEntries(
        (['gateway', 'keys', 'contacts', 'segments', 'webhooks'] as const).map((s) => [s, { SIGIL_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profileDir}/${s}` }]),
      )
    : {};
  const stack = await TestStack.start({ env: { KAFKA_TOPIC_PARTITIONS: '6' }, serviceEnv });
  try {
    process.stdout.write(`platform up; settling ${settle} s, then measuring ${seconds} s with no traffic\n`);
    await new Promise((r) => setTimeout(r, settle * 1000));
    const before = new Map(stack.processes.map((p) => [p.name, cpuTicks(p.pid!)]));
    const load = loadavg();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    process.stdout.write(`load average at start of window: ${load.map((l) => l.toFixed(2)).join(' ')}\n\n| service | CPU, % of one core |\n|---|---|\n`);
    for (const p of stack.processes) {
      const used = (cpuTicks(p.pid!) - before.get(p.name)!) / TICKS_PER_SECOND;
      process.stdout.write(`| ${p.name} | ${((100 * used) / seconds).toFixed(2)} |\n`);
    }
  } finally {
    await stack.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
