/**
 * Jest environment of integration and e2e test files: gives each file its own
 * Kafka namespace (topics, patterns, consumer groups, Redis keys) so files
 * can run in parallel against one Kafka and Redis and beside a running dev
 * platform, and deletes the file's topics and Redis keys once it has finished
 * (after its own afterAll hooks), so a long test run does not pile thousands of
 * topics onto the broker nor millions of queue keys onto Redis — whichever
 * harness or spec wrote them. SIGIL_KEEP_TEST_DATA=1 keeps both, as TestStack
 * keeps its databases, for a post-mortem.
 */
const { randomBytes } = require('node:crypto');
const { TestEnvironment } = require('jest-environment-node');
const { Kafka, logLevel } = require('kafkajs');
// TypeScript: Jest transpiles what this file requires while it loads it.
const { deleteNamespaceKeys } = require('../namespace-redis-keys');

class KafkaNamespaceEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.namespace = `t${randomBytes(4).toString('hex')}`;
    this.global.process.env.SIGIL_KAFKA_NAMESPACE = this.namespace;
  }

  async teardown() {
    if (process.env.SIGIL_KEEP_TEST_DATA !== '1') await this.deleteTestData();
    await super.teardown();
  }

  async deleteTestData() {
    // Best effort, like the topics: an unreachable Redis (a test's private one) has nothing to clean.
    await deleteNamespaceKeys(this.namespace, { url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' }).catch(() => undefined);
    const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
    const admin = new Kafka({ clientId: 'test-cleanup', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${this.namespace}.`));
      if (topics.length) await admin.deleteTopics({ topics, timeout: 30000 });
    } catch {
      // Best effort: a leftover namespace only costs broker memory.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

module.exports = KafkaNamespaceEnvironment;
