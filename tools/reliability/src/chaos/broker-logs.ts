/**
 * Keeps the Kafka nodes' logs of a chaos run beside its report: a later
 * `infra.sh reset` (or a switch between one broker and three) wipes them
 * under the infrastructure directory. Bounded: only the files that say what
 * a node did (server.log: infra.sh's log4j config sends every logger there;
 * controller.log where a Kafka default config writes one; kafka.out: the
 * JVM's own output), and of each only its last `maxBytes`.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaNodeDir } from './cpu/watched-processes';

const FILES = ['server.log', 'controller.log', 'kafka.out'];
export const BROKER_LOG_MAX_BYTES = 20 * 1024 * 1024;

export interface CopiedLog {
  file: string;
  bytes: number;
  /** Only the end was kept. */
  truncated: boolean;
}

/** The last `maxBytes` of `source` into `target`, from the start of a line when it cuts. */
export function copyTail(source: string, target: string, maxBytes: number): CopiedLog {
  const size = statSync(source).size;
  const from = Math.max(0, size - maxBytes);
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(source, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const newline = from > 0 ? buffer.indexOf(0x0a) : -1;
  const kept = newline >= 0 ? buffer.subarray(newline + 1) : buffer;
  writeFileSync(target, kept);
  return { file: target, bytes: kept.length, truncated: from > 0 };
}

/** Copies each node's logs to <dest>/node-<N>/; what was copied. */
export function copyBrokerLogs(infra: string, nodes: number, dest: string, maxBytes = BROKER_LOG_MAX_BYTES): CopiedLog[] {
  const copied: CopiedLog[] = [];
  for (let node = 1; node <= nodes; node++) {
    const logs = join(kafkaNodeDir(infra, node), 'logs');
    for (const name of FILES) {
      const source = join(logs, name);
      if (!existsSync(source)) continue;
      const target = join(dest, `node-${node}`);
      mkdirSync(target, { recursive: true });
      copied.push(copyTail(source, join(target, name), maxBytes));
    }
  }
  return copied;
}
