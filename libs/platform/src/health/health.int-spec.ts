/**
 * Readiness checks against the real PostgreSQL, Redis and Kafka (up), and
 * against ports where nothing listens (down, within the check timeout).
 */
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { freePort, KAFKA_BROKERS, PG_ADMIN_URL, REDIS_URL, testKafka } from '@sigil/testing';
import { createDataSource } from '../database/database.module';
import { createRedis } from '../redis/redis.module';
import { readiness } from './health.controller';
import { databaseCheck, kafkaCheck, redisCheck, runChecks, type HealthCheck } from './health.checks';

const closers: (() => Promise<unknown>)[] = [];

async function dataSourceAt(url: string): Promise<DataSource> {
  const ds = createDataSource({ url, poolSize: 1, entities: [], migrations: [], service: 'health-test' });
  await ds.initialize().catch(() => undefined); // a wrong port fails here; the check must then say down
  closers.push(async () => ds.isInitialized && ds.destroy());
  return ds;
}

function redisAt(url: string): Redis {
  const redis = createRedis(url, 'health-test');
  redis.on('error', () => undefined);
  closers.push(async () => redis.disconnect());
  return redis;
}

function kafkaAt(brokers: string[]): HealthCheck {
  const check = kafkaCheck({ ...testKafka('health-test'), brokers });
  closers.push(() => check.close());
  return check;
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
});

describe('health checks', () => {
  it('report up when PostgreSQL, Redis and Kafka answer', async () => {
    const checks = [databaseCheck(await dataSourceAt(PG_ADMIN_URL)), redisCheck(redisAt(REDIS_URL)), kafkaAt(KAFKA_BROKERS)];
    expect(await runChecks(checks)).toEqual({ database: 'up', redis: 'up', kafka: 'up' });
    expect(await readiness(checks)).toEqual({ status: 'up', checks: { database: 'up', redis: 'up', kafka: 'up' } });
  });

  it('report down for each dependency that does not answer', async () => {
    const nothing = await freePort();
    const checks = [
      databaseCheck(await dataSourceAt(withPort(PG_ADMIN_URL, nothing))),
      redisCheck(redisAt(withPort(REDIS_URL, nothing))),
      kafkaAt([`127.0.0.1:${nothing}`]),
    ];
    expect(await runChecks(checks, 2000)).toEqual({ database: 'down', redis: 'down', kafka: 'down' });
  });

  it('make readiness down when any one check is down', async () => {
    const nothing = await freePort();
    const report = await readiness([databaseCheck(await dataSourceAt(PG_ADMIN_URL)), redisCheck(redisAt(withPort(REDIS_URL, nothing)))]);
    expect(report).toEqual({ status: 'down', checks: { database: 'up', redis: 'down' } });
  });

  it('keep answering on a reused Kafka check', async () => {
    const check = kafkaAt(KAFKA_BROKERS);
    expect(await runChecks([check])).toEqual({ kafka: 'up' });
    expect(await runChecks([check])).toEqual({ kafka: 'up' });
  });
});
