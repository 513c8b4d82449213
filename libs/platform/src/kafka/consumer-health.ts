/**
 * Whether this process's Kafka consumers are alive. kafkajs restarts a
 * crashed consumer by itself (`restartOnFailure`), so one crash is not a
 * failure; a consumer that crashed and has not rejoined its group within the
 * grace period, or that crashed for good, is. The `consumers` readiness check
 * reports it, so an orchestrator takes the replica out of rotation instead of
 * letting it look healthy while it no longer serves its partitions.
 */
import type { Consumer } from 'kafkajs';
import type { HealthCheck } from '../health/health.checks';

const RESTART_GRACE_MS = 30_000;

interface ConsumerState {
  crashedAt?: number;
  dead?: string;
}

const consumers = new Map<string, ConsumerState>();

/** Follows a consumer's crashes and group joins under a name shown in readiness. */
export function watchConsumer(name: string, consumer: Consumer): void {
  const state: ConsumerState = {};
  consumers.set(name, state);
  consumer.on(consumer.events.GROUP_JOIN, () => {
    state.crashedAt = undefined;
    state.dead = undefined;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    state.crashedAt ??= Date.now();
    if (!payload.restart) state.dead = payload.error?.message ?? 'crashed';
  });
}

/** Forgets a consumer stopped on purpose (shutdown). */
export function unwatchConsumer(name: string): void {
  consumers.delete(name);
}

/** The consumers that are down now, with why. */
export function downConsumers(now = Date.now()): Record<string, string> {
  const down: Record<string, string> = {};
  for (const [name, state] of consumers) {
    if (state.dead) down[name] = `stopped after a crash: ${state.dead}`;
    else if (state.crashedAt !== undefined && now - state.crashedAt > RESTART_GRACE_MS) {
      down[name] = `crashed ${Math.round((now - state.crashedAt) / 1000)} s ago and has not rejoined its group`;
    }
  }
  return down;
}

export function consumersCheck(): HealthCheck {
  return {
    name: 'consumers',
    check: async () => {
      const down = downConsumers();
      if (Object.keys(down).length) throw new Error(JSON.stringify(down));
    },
  };
}

/** Test hook: forget every consumer. */
export function resetConsumerHealth(): void {
  consumers.clear();
}
