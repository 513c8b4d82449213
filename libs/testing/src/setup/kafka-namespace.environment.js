/**
 * Jest environment of integration and e2e test files: gives each file its own
 * Kafka namespace (topics, patterns, consumer groups) so files can run in
 * parallel against one Kafka and beside a running dev platform, and deletes
 * the file's topics once it has finished (after its own afterAll hooks), so a
 * long test run does not pile thousands of topics onto the broker.
 */
const { randomBytes } = require('node:crypto');
const { TestEnvironment } = require('jest-environment-node');
const { Kafka, logLevel } = require('kafkajs');

class KafkaNamespaceEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.namespace = `t${randomBytes(4).toString('hex')}`;
    this.global.process.env.SIGIL_KAFKA_NAMESPACE = this.namespace;
  }

  async teardown() {
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
    await super.teardown();
  }
}

module.exports = KafkaNamespaceEnvironment;
