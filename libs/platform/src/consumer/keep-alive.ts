/**
 * Keeps a consumer's group membership while a handler runs. kafkajs 2.2.4
 * heartbeats only from its fetch loop and when a handler calls the
 * `heartbeat` it was given, so a handler slower than the session timeout
 * (10 s, kafka.config.ts) — a fan-out batch waiting on a lock or a slow
 * Redis, a handler retrying a failed write with backoff — had the member
 * removed from its group mid-batch: its commit was refused, its partitions
 * went to a rebalance, and the batch was handled again after the rejoin. A
 * long fuzz run on a quiet machine (session 13) logged the webhooks fan-out
 * "re-joining the group" seven times in ten minutes.
 *
 * kafkajs sends a heartbeat only when `heartbeatInterval` has passed since
 * the last one, so asking every second costs nothing in between. A failed
 * heartbeat (a rebalance under way, the coordinator moving) is not this
 * timer's to handle: the fetch loop meets it at its own next heartbeat and
 * rejoins, as before.
 */

/** How often a running handler asks kafkajs for a heartbeat. */
export const HEARTBEAT_WHILE_HANDLING_MS = 1000;

/** Runs `work`, asking for a heartbeat every `everyMs` until it settles. */
export async function whileHeartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>, everyMs = HEARTBEAT_WHILE_HANDLING_MS): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
