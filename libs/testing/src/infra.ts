/**
 * Where the test infrastructure is (`tools/infra` defaults, overridable by
 * the same env vars the apps read), and per-test databases and Kafka names.
 */
import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import type { KafkaSettings } from '@sigil/platform';

export const PG_ADMIN_URL = process.env['TEST_PG_ADMIN_URL'] ?? 'postgres://sigil:sigil@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** The three-master Redis Cluster of tools/infra/redis-cluster.sh. */
export const REDIS_CLUSTER_NODES = (process.env['REDIS_CLUSTER_NODES'] ?? '127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002').split(',').map((hostPort) => {
  const [host, port] = hostPort.split(':');
  return { host: host!, port: Number(port) };
});
export const KAFKA_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

export function testKafka(clientId = 'test'): KafkaSettings {
  return { brokers: KAFKA_BROKERS, clientId, partitions: 3 };
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A fresh, empty database for one service of one test file; returns its URL. */
export async function createTestDatabase(service: string): Promise<string> {
  const name = `sigil_test_${service}_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!name.startsWith('sigil_test_')) throw new Error(`refusing to drop ${name}`);
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (err) {
        // An autovacuum worker on the database has no role, so FORCE refuses to terminate it (PostgreSQL 15:
        // "must be a member of the role whose process is being terminated"). A plain DROP stops autovacuum
        // workers itself: waiting for them instead left the database of a 1 M-row bench run behind (its
        // autovacuum outlasted the 10 s of retries, and went on loading the machine for the next run).
        if ((err as { code?: string }).code !== '42501' || attempt >= 40) throw err;
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${name}`);
          return;
        } catch (plain) {
          // 55006: a session is still connected after all: FORCE again, after a moment.
          if ((plain as { code?: string }).code !== '55006') throw plain;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.end();
  }
}

/** Deletes every topic of this test file's namespace. */
export async function deleteNamespaceTopics(): Promise<void> {
  const admin = new Kafka({ clientId: 'test-cleanup', brokers: KAFKA_BROKERS, logLevel: 0 }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${KAFKA_NAMESPACE}.`));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30000 });
  } finally {
    await admin.disconnect();
  }
}
