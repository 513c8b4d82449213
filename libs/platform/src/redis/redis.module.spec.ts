/** REDIS_CLUSTER_NODES as the gateway reads it: seed nodes of a Redis Cluster. */
import { parseClusterNodes } from './redis.module';

describe('parseClusterNodes', () => {
  it('reads host:port pairs, spaces and empty entries ignored', () => {
    expect(parseClusterNodes('127.0.0.1:7000, 127.0.0.1:7001,,redis-2.internal:7002')).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
      { host: 'redis-2.internal', port: 7002 },
    ]);
    expect(parseClusterNodes('')).toEqual([]);
  });

  it('refuses an entry that is not host:port', () => {
    expect(() => parseClusterNodes('127.0.0.1')).toThrow(/not host:port/);
    expect(() => parseClusterNodes('127.0.0.1:99999')).toThrow(/not host:port/);
  });
});
