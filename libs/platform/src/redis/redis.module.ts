/**
 * One shared ioredis connection per process, closed after in-flight work on
 * shutdown: a single Redis (`REDIS_URL`), or a Redis Cluster when the process
 * is given its nodes (`REDIS_CLUSTER_NODES=host:port,…`; the gateway, whose
 * keys are hash-tagged so each operation stays in one slot).
 */
import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import Redis, { Cluster } from 'ioredis';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: `sigil-${name}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
}

/** `host:port,host:port` → the seed nodes of a cluster (empty: no cluster). */
export function parseClusterNodes(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((hostPort) => {
      const i = hostPort.lastIndexOf(':');
      const port = Number(hostPort.slice(i + 1));
      if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`REDIS_CLUSTER_NODES: '${hostPort}' is not host:port`);
      return { host: hostPort.slice(0, i), port };
    });
}

/** A cluster client from its seed nodes, with the same timeouts and retries as a single connection. */
export function createRedisCluster(nodes: string, name: string): Cluster {
  return new Cluster(parseClusterNodes(nodes), {
    redisOptions: { connectionName: `sigil-${name}`, maxRetriesPerRequest: 2, connectTimeout: 2000 },
    enableOfflineQueue: true,
    clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
  });
}

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | Cluster) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Module({})
export class RedisModule {
  /** `clusterNodes` (non-empty) connects to that Redis Cluster instead of `url`. */
  static forRoot(url: string, name: string, clusterNodes = ''): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: REDIS, useFactory: () => (clusterNodes.trim() ? createRedisCluster(clusterNodes, name) : createRedis(url, name)) }, RedisCloser],
      exports: [REDIS],
    };
  }
}
