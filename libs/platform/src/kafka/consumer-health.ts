/**
 * Whether this process's Kafka consumers are alive, and bringing them back.
 *
 * kafkajs restarts a consumer that crashed on a *retriable* error; on any
 * other (a broker restart yields "Failed to find group coordinator") it
 * disconnects it for good, and `restartOnFailure` is not even asked. So a
 * supervised consumer is resumed here — connected, subscribed and run again
 * by its owner's `resume` — with backoff until it works. A consumer that
 * crashed and has not rejoined its group within the grace period is reported
 * by the `consumers` readiness check (`consumersCheck` in health.checks.ts), so an orchestrator takes the replica
 * out of rotation meanwhile instead of letting it look healthy.
 */
import { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

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

const logger = new Logger('ConsumerSupervisor');

/**
 * Watches a consumer and resumes it after a crash kafkajs does not restart
 * (`resume` reconnects, subscribes and runs the same consumer). Stops trying
 * once the consumer is unwatched (stopped on purpose).
 */
export function superviseConsumer(name: string, consumer: Consumer, resume: () => Promise<void>): void {
  watchConsumer(name, consumer);
  let attempt = 0;
  const tryResume = () => {
    const delay = Math.min(30_000, 500 * 2 ** attempt);
    setTimeout(() => {
      if (!consumers.has(name)) return;
      resume().then(
        () => {
          logger.warn(`${name}: consumer resumed after a crash`);
          attempt = 0;
        },
        (err: unknown) => {
          attempt++;
          logger.warn(`${name}: resuming the consumer failed (${err instanceof Error ? err.message : String(err)}); trying again`);
          tryResume();
        },
      );
    }, delay).unref();
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) tryResume();
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

/** Test hook: forget every consumer. */
export function resetConsumerHealth(): void {
  consumers.clear();
}
