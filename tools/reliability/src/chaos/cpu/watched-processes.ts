/**
 * Where the chaos runner finds the pids of what runs on its private
 * infrastructure instance, from the pid files tools/infra/infra.sh keeps
 * under SIGIL_INFRA_DIR: each Kafka node's JVM, Redis, and PostgreSQL's
 * postmaster (its backends are its children). Read afresh at every CPU
 * sample, so a restarted broker is followed under its new pid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WatchedProcess } from './cpu-share';

/** The private instance's directory (infra-env.sh sets SIGIL_INFRA_DIR; infra.sh's default otherwise). */
export function infraDir(root: string): string {
  return process.env['SIGIL_INFRA_DIR'] ?? join(root, '.infra');
}

/** The directory of Kafka node `node`: node 1 keeps its files in <infra>/kafka itself (infra.sh `kafka_node`). */
export function kafkaNodeDir(infra: string, node: number): string {
  return node === 1 ? join(infra, 'kafka') : join(infra, 'kafka', `node-${node}`);
}

/** The pid file infra.sh keeps for Kafka node `node` (the JVM's pid: its wrapper execs java). */
export function kafkaPidFile(infra: string, node: number): string {
  return join(kafkaNodeDir(infra, node), 'kafka.pid');
}

function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The postmaster's pid file: in <infra>/postgres/data, or where infra.sh put
 * the cluster when the postgres OS user cannot reach the repository
 * (<infra>/postgres/LOCATION: "… lives in <dir>").
 */
function postmasterPidFile(infra: string): string {
  const local = join(infra, 'postgres');
  try {
    const elsewhere = /lives in (\S+)/.exec(readFileSync(join(local, 'LOCATION'), 'utf8'))?.[1];
    if (elsewhere) return join(elsewhere, 'data', 'postmaster.pid');
  } catch {
    // no LOCATION: the cluster is local
  }
  return join(local, 'data', 'postmaster.pid');
}

/** The infrastructure's processes running now: `kafka-1` … `kafka-N`, `postgres` (with its backends), `redis`. */
export function infraProcesses(infra: string, kafkaNodes: number): WatchedProcess[] {
  const found: WatchedProcess[] = [];
  for (let node = 1; node <= kafkaNodes; node++) {
    const pid = pidIn(kafkaPidFile(infra, node));
    if (pid) found.push({ name: `kafka-${node}`, pid });
  }
  const postmaster = pidIn(postmasterPidFile(infra));
  if (postmaster) found.push({ name: 'postgres', pid: postmaster, withChildren: true });
  const redis = pidIn(join(infra, 'redis', 'redis.pid'));
  if (redis) found.push({ name: 'redis', pid: redis });
  return found;
}
