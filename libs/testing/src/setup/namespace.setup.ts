/**
 * Runs before each integration/e2e test file loads: gives the file its own
 * Kafka namespace (topics, patterns, consumer groups), so test files can run
 * in parallel against one Kafka, and beside a running dev platform.
 */
import { randomBytes } from 'node:crypto';

process.env['SIGIL_KAFKA_NAMESPACE'] = `t${randomBytes(4).toString('hex')}`;
