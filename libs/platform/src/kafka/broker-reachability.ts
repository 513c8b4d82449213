/**
 * Which Kafka brokers this process could not reach lately, by node id: noted
 * by the producer send when a broker refuses or drops its connection
 * (`kafkajs-send-messages.fix.ts`), cleared by a TCP probe every 200 ms as
 * soon as the broker accepts connections again. The reachable-leader
 * partitioner reads it. No kafkajs import here: the send fix loads this file
 * before kafkajs may load.
 */
import { connect } from 'node:net';
import { Logger } from '@nestjs/common';

/** How often an unreachable broker is probed. */
export const PROBE_EVERY_MS = 200;

interface Unreachable {
  address: string;
  since: number;
  timer: NodeJS.Timeout;
}

const unreachable = new Map<number, Unreachable>();
const logger = new Logger('KafkaBrokers');
/** How many times a broker noted unreachable accepted connections again (producers refresh their metadata after each). */
let returns = 0;

/** A produce could not reach this broker: avoid its partitions until it accepts connections again. */
export function noteUnreachable(nodeId: number, address: string): void {
  if (unreachable.has(nodeId)) return;
  const [host, portText] = splitAddress(address);
  const timer = setInterval(() => {
    const socket = connect({ host, port: Number(portText) });
    socket.setTimeout(PROBE_EVERY_MS * 5, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      noteReachable(nodeId);
    });
    socket.once('error', () => socket.destroy());
  }, PROBE_EVERY_MS).unref();
  unreachable.set(nodeId, { address, since: Date.now(), timer });
  logger.warn(`broker ${nodeId} (${address}) unreachable: requests and replies go to partitions led by others until it accepts connections`);
}

/** The broker answered (a produce went through, or it accepts connections again). */
export function noteReachable(nodeId: number): void {
  const entry = unreachable.get(nodeId);
  if (!entry) return;
  clearInterval(entry.timer);
  unreachable.delete(nodeId);
  returns++;
  logger.warn(`broker ${nodeId} (${entry.address}) reachable again after ${Date.now() - entry.since} ms`);
}

export function isReachable(nodeId: number): boolean {
  return !unreachable.has(nodeId);
}

/** Counts brokers' returns: a producer whose metadata predates the latest refreshes it (kafkajs-send-messages.fix.ts). */
export function brokerReturns(): number {
  return returns;
}

/** Whether any broker is noted unreachable (the partitioner's fast path). */
export function anyUnreachable(): boolean {
  return unreachable.size > 0;
}

/** The node ids noted unreachable now (tests, logs). */
export function unreachableBrokers(): number[] {
  return [...unreachable.keys()];
}

function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), address.slice(i + 1)];
}
