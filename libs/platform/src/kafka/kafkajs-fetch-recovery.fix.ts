/**
 * Makes kafkajs 2.2.4 consumers follow partitions to their new leader when a
 * broker dies (issue #22: with one broker of three killed, requests failed for
 * up to 72 s although leadership moved within ~5 s).
 *
 * What kafkajs does: a fetch to a broker that is gone fails with
 * `KafkaJSConnectionError` (ECONNREFUSED). Its `recoverFromFetch` handles stale
 * metadata, a removed broker and a closed connection, but not that error: it
 * propagates, the consumer's fetch manager stops *every* fetcher (the healthy
 * brokers' too) and the runner restarts it after a retry delay — with the same
 * metadata, which only refreshes when `metadataMaxAge` (5 min) expires. So the
 * consumer keeps asking the dead broker, consuming nothing, until its retries
 * run out (~55 s with Sigil's settings), crashes, and rejoins its group as a
 * new member (a rebalance of everyone).
 *
 * The fix treats a connection error (or a request timeout) on fetch like a
 * broker that is not found: refresh the metadata and fetch again, after a
 * short pause so a broker that is down but not yet fenced (KRaft's
 * `broker.session.timeout.ms`) is not hammered. Once the controller has moved
 * leadership, the refreshed metadata names new leaders, kafkajs' fetch manager
 * sees the set of nodes change and recreates its fetchers. Applied once, when
 * the platform's Kafka code loads; kafkajs is pinned at 2.2.4 (package.json),
 * and the unit test fails if the method it wraps changes shape.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as ConsumerGroupClass;

/** The kafkajs internals this fix touches. */
export interface ConsumerGroupInternals {
  cluster: { refreshMetadata(): Promise<void> };
  logger: { warn(message: string, extra?: Record<string, unknown>): void };
  groupId: string;
  recoverFromFetch(e: Error & { type?: string }): Promise<void>;
}
type ConsumerGroupClass = { prototype: ConsumerGroupInternals };

/** How long a fetcher waits before asking again when its broker is unreachable. */
export const UNREACHABLE_BROKER_PAUSE_MS = 250;

const RECOVERABLE_BY_METADATA = new Set(['KafkaJSConnectionError', 'KafkaJSRequestTimeoutError']);

/** kafkajs' own recovery (for the unit test's check of what it handles). */
export const kafkajsRecoverFromFetch = ConsumerGroup.prototype.recoverFromFetch;

async function recoverFromFetch(this: ConsumerGroupInternals, e: Error & { type?: string }): Promise<void> {
  if (!RECOVERABLE_BY_METADATA.has(e.name)) return kafkajsRecoverFromFetch.call(this, e);
  this.logger.warn(`${e.message}: refreshing metadata to find the partitions' leaders`, { groupId: this.groupId });
  await new Promise((resolve) => setTimeout(resolve, UNREACHABLE_BROKER_PAUSE_MS));
  // If this refresh fails too (every broker away), the error goes up as before: the runner retries.
  await this.cluster.refreshMetadata();
}

ConsumerGroup.prototype.recoverFromFetch = recoverFromFetch;

/** The patched class (for the unit test). */
export const KafkajsConsumerGroup = ConsumerGroup;
