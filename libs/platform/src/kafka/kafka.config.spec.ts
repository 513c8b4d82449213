import { logLevel } from 'kafkajs';
import { consumerDefaults, kafkaClientConfig, kafkajsLogLevel } from './kafka.config';

/**
 * kafkajs' backoff (retry/index.js): the n-th wait is min(initial * 2^n, max),
 * randomised by ±20 %. How long the retries last, at worst, before giving up.
 */
function shortestRetryBudgetMs(retry: { initialRetryTime?: number; maxRetryTime?: number; retries?: number }): number {
  let total = 0;
  for (let n = 0; n < (retry.retries ?? 5); n++) total += Math.min((retry.initialRetryTime ?? 300) * 2 ** n, retry.maxRetryTime ?? 30000) * 0.8;
  return total;
}

describe('Kafka client settings: riding out a broker restart (docs/reliability.md, "Kafka brokers")', () => {
  const client = kafkaClientConfig({ brokers: ['127.0.0.1:9092'], clientId: 'test', partitions: 3 });
  const consumer = consumerDefaults('group');

  it('tries again at most ~1 s apart, so a client is back within a second of its broker', () => {
    expect(client.retry!.maxRetryTime).toBeLessThanOrEqual(1000);
    expect(consumer.retry.maxRetryTime).toBeLessThanOrEqual(1000);
  });

  it('keeps trying through a broker restart of 40 s instead of crashing (a crashed consumer rejoins as a new member and its group waits a session timeout for the old one)', () => {
    expect(shortestRetryBudgetMs(client.retry!)).toBeGreaterThan(40_000);
    expect(shortestRetryBudgetMs(consumer.retry)).toBeGreaterThan(40_000);
  });
});

describe('kafkajs log level (SIGIL_KAFKAJS_LOG_LEVEL, SIGIL_KAFKAJS_LOG_CLIENTS)', () => {
  it('is warn by default', () => {
    expect(kafkajsLogLevel('gateway', {})).toBe('warn');
    expect(kafkaClientConfig({ brokers: ['127.0.0.1:9092'], clientId: 'test', partitions: 3 }).logLevel).toBe(logLevel.WARN);
  });

  it('takes the level asked for, for the clients listed (by id prefix) or all', () => {
    expect(kafkajsLogLevel('contacts-outbox', { SIGIL_KAFKAJS_LOG_LEVEL: 'debug' })).toBe('debug');
    const env = { SIGIL_KAFKAJS_LOG_LEVEL: 'debug', SIGIL_KAFKAJS_LOG_CLIENTS: 'gateway,contacts' };
    expect(kafkajsLogLevel('contacts-outbox', env)).toBe('debug');
    expect(kafkajsLogLevel('gateway', env)).toBe('debug');
    expect(kafkajsLogLevel('segments', env)).toBe('warn');
  });

  it('refuses a level it does not know', () => {
    expect(() => kafkajsLogLevel('gateway', { SIGIL_KAFKAJS_LOG_LEVEL: 'verbose' })).toThrow(/SIGIL_KAFKAJS_LOG_LEVEL/);
    expect(() => kafkajsLogLevel('gateway', { SIGIL_KAFKAJS_LOG_LEVEL: 'toString' })).toThrow(/SIGIL_KAFKAJS_LOG_LEVEL/);
  });
});
