/**
 * A test namespace's Redis keys are deleted when its stack closes and when its
 * test file ends (the Jest environment), on a single Redis and on a Redis
 * Cluster — and no key of another namespace is.
 */
import { Queue } from 'bullmq';
import Redis, { Cluster } from 'ioredis';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { REDIS_CLUSTER_NODES, REDIS_URL, uniqueSuffix } from './infra';
import { deleteNamespaceKeys } from './namespace-redis-keys';
import { TestStack } from './stack';
import { eventually } from './eventually';

// Keys of other namespaces, including lookalikes that share this one's text.
const others = (ns: string) => [`${ns}0:k`, `bull.${ns}0:k`, `x${ns}:k`, `bull.x${ns}:k`, `${ns}`, `bull.${ns}`, `other:${ns}:k`, `t${uniqueSuffix()}:k`];

async function keysOf(redis: Redis | Cluster, ns: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const lists = await Promise.all(nodes.flatMap((node) => [`${ns}:*`, `bull.${ns}:*`].map((match) => node.keys(match))));
  return lists.flat().sort();
}

describe('deleting a test namespace’s Redis keys', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });

  afterAll(() => redis.disconnect());

  it('deletes its BullMQ queues and its own keys on a single Redis, in batches, and nothing else', async () => {
    const ns = `t${uniqueSuffix()}`;
    const queue = new Queue('deliveries', { connection: redis, prefix: `bull.${ns}` });
    await queue.addBulk(Array.from({ length: 3000 }, (_, i) => ({ name: 'job', data: { i } })));
    await queue.close(); // not the connection, which was given
    await redis.set(`${ns}:idem:tenant:live:abc`, '1');
    await redis.hset(`${ns}:access:tenants`, 'ten_1', '{}');
    const foreign = others(ns);
    await redis.mset(Object.fromEntries(foreign.map((k) => [k, '1'])));
    try {
      expect((await keysOf(redis, ns)).length).toBeGreaterThan(3000);
      expect(await deleteNamespaceKeys(ns, { url: REDIS_URL })).toBeGreaterThan(3000);
      expect(await keysOf(redis, ns)).toEqual([]);
      expect(await redis.exists(...foreign)).toBe(foreign.length);
    } finally {
      await redis.unlink(...foreign);
    }
  });

  it('deletes them on every master of a Redis Cluster', async () => {
    const cluster = new Cluster(REDIS_CLUSTER_NODES);
    const ns = `t${uniqueSuffix()}`;
    const foreign = others(ns);
    try {
      // Many slots, so every master holds some of them.
      await Promise.all(Array.from({ length: 60 }, (_, i) => cluster.set(i % 2 ? `${ns}:rl:{key:k${i}}:w60000` : `bull.${ns}:slots:{e${i}}`, '1')));
      await Promise.all(foreign.map((k) => cluster.set(k, '1')));
      expect(await keysOf(cluster, ns)).toHaveLength(60);
      expect(await deleteNamespaceKeys(ns, { clusterNodes: REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',') })).toBe(60);
      expect(await keysOf(cluster, ns)).toEqual([]);
      for (const k of foreign) expect(await cluster.exists(k)).toBe(1);
    } finally {
      await Promise.all(foreign.map((k) => cluster.unlink(k)));
      cluster.disconnect();
    }
  });

  it("TestStack.close deletes the keys its services wrote (BullMQ's), and keeps them with SIGIL_KEEP_TEST_DATA=1", async () => {
    const stack = await TestStack.start({ services: ['contacts'] });
    const foreign = others(KAFKA_NAMESPACE);
    await redis.mset(Object.fromEntries(foreign.map((k) => [k, '1'])));
    try {
      // The contacts service's import queue and worker write their keys at start.
      await eventually(
        () => keysOf(redis, KAFKA_NAMESPACE),
        (keys) => keys.some((k) => k.startsWith(`bull.${KAFKA_NAMESPACE}:contact-imports:`)),
      );
      process.env.SIGIL_KEEP_TEST_DATA = '1';
      await stack.close();
      expect((await keysOf(redis, KAFKA_NAMESPACE)).length).toBeGreaterThan(0);
      delete process.env.SIGIL_KEEP_TEST_DATA;
      await stack.close();
      expect(await keysOf(redis, KAFKA_NAMESPACE)).toEqual([]);
      expect(await redis.exists(...foreign)).toBe(foreign.length);
    } finally {
      delete process.env.SIGIL_KEEP_TEST_DATA;
      await stack.close();
      await redis.unlink(...foreign);
    }
  });

  it('the Jest environment of int/e2e files deletes its namespace’s keys when the file ends', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Environment = require('./setup/kafka-namespace.environment.js');
    const env = new Environment({ projectConfig: { testEnvironmentOptions: {}, globals: {} }, globalConfig: {} }, { console, docblockPragmas: {}, testPath: __filename });
    const ns: string = env.namespace;
    expect(env.global.process.env.SIGIL_KAFKA_NAMESPACE).toBe(ns);
    const foreign = others(ns);
    await redis.mset({ [`bull.${ns}:contact-imports:meta`]: '1', [`${ns}:keycache:abc`]: '1', ...Object.fromEntries(foreign.map((k) => [k, '1'])) });
    try {
      await env.teardown();
      expect(await keysOf(redis, ns)).toEqual([]);
      expect(await redis.exists(...foreign)).toBe(foreign.length);
    } finally {
      await redis.unlink(...foreign, `bull.${ns}:contact-imports:meta`, `${ns}:keycache:abc`);
    }
  });
});
