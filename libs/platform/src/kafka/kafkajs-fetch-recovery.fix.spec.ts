/**
 * The kafkajs fetch-recovery fix: a fetch that cannot reach its broker
 * refreshes the metadata (so the consumer finds the partitions' new leaders)
 * instead of stopping every fetcher; anything else is recovered as kafkajs
 * did.
 */
import { KafkajsConsumerGroup, kafkajsRecoverFromFetch, UNREACHABLE_BROKER_PAUSE_MS, type ConsumerGroupInternals } from './kafkajs-fetch-recovery.fix';

function group(): ConsumerGroupInternals & { refreshed: number } {
  const g = Object.create(KafkajsConsumerGroup.prototype) as ConsumerGroupInternals & { refreshed: number };
  return Object.assign(g, {
    refreshed: 0,
    groupId: 'g',
    logger: { warn: () => undefined, debug: () => undefined, info: () => undefined, error: () => undefined },
    cluster: { refreshMetadata: async () => void g.refreshed++ },
  });
}

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('kafkajs fetch recovery fix', () => {
  it('refreshes the metadata after a short pause when the broker is unreachable, and does not throw', async () => {
    for (const name of ['KafkaJSConnectionError', 'KafkaJSRequestTimeoutError']) {
      const g = group();
      const started = Date.now();
      await expect(g.recoverFromFetch(named(name, 'Connection error: connect ECONNREFUSED 127.0.0.1:9093'))).resolves.toBeUndefined();
      expect(g.refreshed).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(UNREACHABLE_BROKER_PAUSE_MS - 5);
    }
  });

  it('leaves every other error to kafkajs (an unknown one is still thrown)', async () => {
    const g = group();
    await expect(g.recoverFromFetch(named('KafkaJSSomethingElse'))).rejects.toThrow('x');
    expect(g.refreshed).toBe(0);
    // kafkajs' own recovery still runs: a broker it no longer knows → refresh.
    await g.recoverFromFetch(named('KafkaJSBrokerNotFound'));
    expect(g.refreshed).toBe(1);
  });

  it('wraps the kafkajs method it was written against (2.2.4: a connection error is not recovered there)', () => {
    const source = String(kafkajsRecoverFromFetch);
    expect(source).toContain("'KafkaJSBrokerNotFound'");
    expect(source).not.toContain('KafkaJSConnectionError');
    expect(KafkajsConsumerGroup.prototype.recoverFromFetch).not.toBe(kafkajsRecoverFromFetch);
  });
});
