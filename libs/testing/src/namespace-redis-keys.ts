/**
 * Deletes the Redis keys of one test namespace once its stack or test file is
 * done, as its databases and Kafka topics are: BullMQ queues (webhook
 * deliveries, contact imports) never expire, and a day of tests left 1.7 M of
 * them on the shared Redis (an AOF rewrite then took 32 s and slowed the
 * benchmarks after it). Every key a service writes is under its namespace
 * (SIGIL_KAFKA_NAMESPACE): its own keys `<ns>:…` (gateway key cache, access
 * state, idempotency, rate limits) and BullMQ's `bull.<ns>:…` (queues, and the
 * webhooks' endpoint slots and rates beside them).
 *
 * No imports through the `@sigil/*` aliases: the Jest environment of int/e2e
 * files (setup/kafka-namespace.environment.js) requires this file directly.
 */
import Redis, { Cluster } from 'ioredis';

/** The namespace of the development platform (SIGIL_KAFKA_NAMESPACE unset): never cleaned. */
const PLATFORM_NAMESPACE = 'sigil';

/** Keys per SCAN step: larger steps mean fewer round trips over a big keyspace, each still a few ms of Redis. */
const SCAN_COUNT = 5000;

/**
 * The SCAN patterns of `namespace`'s keys. A namespace of letters, digits, `_` and `-` has no `:` and no glob
 * character, so `<ns>:*` matches only keys whose text before the first `:` is exactly `<ns>` — never another
 * namespace's (`<ns>0:…`, `x<ns>:…`) — and `bull.<ns>:*` likewise.
 */
export function namespaceKeyPatterns(namespace: string): [own: string, bull: string] {
  if (!/^[A-Za-z0-9_-]+$/.test(namespace) || namespace === PLATFORM_NAMESPACE) {
    throw new Error(`refusing to delete the Redis keys of namespace '${namespace}' (only a test's own namespace is cleaned)`);
  }
  return [`${namespace}:*`, `bull.${namespace}:*`];
}

/** Where a namespace's keys are: a single Redis (its URL) or a Redis Cluster (its seed nodes, `host:port,…`). */
export type RedisTarget = { url: string } | { clusterNodes: string };

/**
 * Deletes every key of `namespace` on `target` (each master of a cluster): SCAN with MATCH, UNLINK per batch.
 * Returns how many keys were deleted. Fails fast when the target is unreachable (a private Redis already stopped).
 */
export async function deleteNamespaceKeys(namespace: string, target: RedisTarget): Promise<number> {
  const patterns = namespaceKeyPatterns(namespace);
  const client = connect(target);
  try {
    const nodes = client instanceof Cluster ? await clusterMasters(client) : [client];
    let deleted = 0;
    for (const node of nodes) {
      for (const match of patterns) {
        for await (const keys of node.scanStream({ match, count: SCAN_COUNT }) as AsyncIterable<string[]>) {
          if (!keys.length) continue;
          // One key per UNLINK on a cluster node: keys of different slots in one command fail with CROSSSLOT.
          const replies = client instanceof Cluster ? await node.pipeline(keys.map((k) => ['unlink', k])).exec() : [[null, await node.unlink(...keys)]];
          for (const [err, n] of replies ?? []) {
            if (err) throw err;
            deleted += Number(n);
          }
        }
      }
    }
    return deleted;
  } finally {
    client.disconnect();
  }
}

function connect(target: RedisTarget): Redis | Cluster {
  // disconnectTimeout 0: ioredis waits that long for a socket to close once asked to, even one that never opened
  // (a stack whose private Redis is stopped), and its timer kept the process alive, which Jest reports as a hang.
  const options = { connectionName: 'sigil-test-cleanup', connectTimeout: 2000, disconnectTimeout: 0, maxRetriesPerRequest: 1, retryStrategy: () => null };
  const nodes = () =>
    'clusterNodes' in target
      ? target.clusterNodes.split(',').map((hostPort) => {
          const i = hostPort.lastIndexOf(':');
          return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
        })
      : [];
  const client = 'url' in target ? new Redis(target.url, options) : new Cluster(nodes(), { redisOptions: options, clusterRetryStrategy: () => null });
  client.on('error', () => undefined); // a connection failure rejects the commands; no unhandled-error warning besides
  return client;
}

/** The cluster's masters, once it has loaded its slot map (nodes() is empty before). */
async function clusterMasters(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      cluster.once('ready', resolve);
      cluster.once('end', () => reject(new Error('Redis Cluster unreachable')));
    });
  }
  return cluster.nodes('master');
}
