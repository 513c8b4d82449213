/** Readiness checks of the components a service depends on. */
import { Kafka, type Admin } from 'kafkajs';
import type { Cluster, default as Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { downConsumers } from '../kafka/consumer-health';
import { kafkaClientConfig, type KafkaSettings } from '../kafka/kafka.config';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

export function databaseCheck(dataSource: DataSource): HealthCheck {
  return { name: 'database', check: async () => void (await dataSource.query('SELECT 1')) };
}

export function redisCheck(redis: Redis | Cluster): HealthCheck {
  return {
    name: 'redis',
    check: async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
    },
  };
}

export function kafkaCheck(settings: KafkaSettings): HealthCheck & { close(): Promise<void> } {
  let admin: Admin | undefined;
  return {
    name: 'kafka',
    check: async () => {
      if (!admin) {
        admin = new Kafka({ ...kafkaClientConfig({ ...settings, clientId: `${settings.clientId}-health` }), retry: { retries: 0 } }).admin();
        await admin.connect();
      }
      try {
        await admin.describeCluster();
      } catch (err) {
        await admin.disconnect().catch(() => undefined);
        admin = undefined;
        throw err;
      }
    },
    close: async () => {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}

export async function runChecks(checks: HealthCheck[], timeoutMs = 2000): Promise<Record<string, 'up' | 'down'>> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await Promise.race([c.check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
        return [c.name, 'up'] as const;
      } catch {
        return [c.name, 'down'] as const;
      }
    }),
  );
  return Object.fromEntries(results);
}

/** Down while one of this process's Kafka consumers is (kafka/consumer-health.ts). */
export function consumersCheck(): HealthCheck {
  return {
    name: 'consumers',
    check: async () => {
      const down = downConsumers();
      if (Object.keys(down).length) throw new Error(JSON.stringify(down));
    },
  };
}
