/**
 * The Kafka transport, set up once: kafkajs client settings, and the Nest
 * microservice options used by every service (server) and the gateway (client).
 */
import './kafkajs-send-messages.fix'; // before kafkajs loads (see the file)
import './kafkajs-lean-encoding.fix'; // likewise
import type { KafkaOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import { logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { serviceGroupId } from '@sigil/contracts';
import { JsonLogger } from '../logging/json-logger';
import { ConcurrentServerKafka } from './concurrent-server-kafka';
import './kafkajs-request-queue.fix';
import './kafkajs-fetch-recovery.fix';
import './kafkajs-coordinator-failover.fix';
import type { ProduceBatchingOptions } from './produce-batcher';
import { ReachableLeaderPartitioner } from './reachable-leader-partitioner';

// Sigil uses kafkajs' default (Java-compatible) partitioner everywhere; the v2 notice is noise.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  partitions: number;
  /** How long request/reply producers wait for more messages to batch (0: until the current I/O phase ends). */
  produceLingerMs?: number;
}

/**
 * Request/reply produces: batched within a tick, acknowledged by the
 * partition leader only. A request or reply lost in a leader failover costs
 * its caller a 504 and a retry, which the Idempotency-Key ledger answers
 * without a second write; nothing durable travels on these topics (domain
 * events go through the outbox, produced with acks from all in-sync replicas).
 */
export function rpcProduceBatching(settings: KafkaSettings): ProduceBatchingOptions {
  return { lingerMs: settings.produceLingerMs ?? 0, maxMessages: 500, acks: 1 };
}

const KAFKAJS_LEVELS = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;
type KafkajsLevelName = keyof typeof KAFKAJS_LEVELS;
const KAFKAJS_LEVEL_NAME = new Map<number, KafkajsLevelName>(Object.entries(KAFKAJS_LEVELS).map(([name, level]) => [level, name as KafkajsLevelName]));

/**
 * What kafkajs logs for a client: `warn` unless `SIGIL_KAFKAJS_LOG_LEVEL` says
 * `error`, `info` or `debug` (debug: every request and response with its
 * broker and duration, for a post-mortem of a chaos run), and only for the
 * clients whose id starts with one of `SIGIL_KAFKAJS_LOG_CLIENTS` (comma-separated,
 * e.g. `gateway,contacts`; unset: all). A bad value stops the service at start.
 */
export function kafkajsLogLevel(clientId: string, env: NodeJS.ProcessEnv = process.env): KafkajsLevelName {
  const raw = env['SIGIL_KAFKAJS_LOG_LEVEL'];
  if (raw === undefined || raw === '') return 'warn';
  if (!Object.hasOwn(KAFKAJS_LEVELS, raw)) throw new Error(`SIGIL_KAFKAJS_LOG_LEVEL: expected error, warn, info or debug, got '${raw}'`);
  const clients = (env['SIGIL_KAFKAJS_LOG_CLIENTS'] ?? '').split(',').filter(Boolean);
  return clients.length && !clients.some((prefix) => clientId.startsWith(prefix)) ? 'warn' : (raw as KafkajsLevelName);
}

function kafkaLogCreator(service: string, level: KafkajsLevelName) {
  const logger = new JsonLogger(service, level);
  return () =>
    ({ level: entryLevel, log }: LogEntry) => {
      const { message, ...rest } = log;
      const method = KAFKAJS_LEVEL_NAME.get(entryLevel) ?? 'info';
      logger[method === 'info' ? 'log' : method]({ msg: `kafkajs: ${message}`, ...rest }, 'Kafka');
    };
}

/**
 * Retries back off exponentially (x2, ±20 %) but never wait more than a second,
 * and go on for about a minute. With a 5-s cap and 10 retries a client whose
 * broker was down for 20 s next tried up to 5 s (a consumer's fetch loop: 10 s)
 * after the broker was back; and a consumer that ran out of retries (~30 s)
 * crashed, rejoined its group as a new member, and the group then waited a
 * whole session timeout (10 s) for its old self before anyone consumed again —
 * requests kept failing ~12 s after the broker was back (docs/reliability.md,
 * "Kafka brokers"). A refused connection costs nothing, so trying every second
 * while a broker is away is cheap; a request's caller gives up after its own
 * deadline, and a service skips a request whose deadline passed.
 */
const MAX_RETRY_MS = 1000;
const RETRIES = 60;

export function kafkaClientConfig(settings: KafkaSettings): KafkaConfig {
  const level = kafkajsLogLevel(settings.clientId);
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, maxRetryTime: MAX_RETRY_MS, retries: RETRIES },
    logLevel: KAFKAJS_LEVELS[level],
    logCreator: kafkaLogCreator(settings.clientId, level),
  };
}

/**
 * Consumer settings shared by every Sigil consumer group: a short session so a
 * crashed replica's partitions move on within seconds. The broker answers a
 * fetch as soon as one byte is there (`minBytes` 1), so the fetch wait does
 * not add latency; it only sets how often an idle consumer asks again. At
 * 100 ms every idle consumer cost ten fetches a second, and a service runs
 * two to four consumers: most of what an idle service burnt. At 1 s fetches
 * and heartbeats were still about a third of an idle service's 1 % of a core
 * (session 20: 1.05 → 0.73 % for keys with both at 3 s). A heartbeat every
 * 3 s stays well inside the 10-s session (Kafka's advice: at most a third of
 * it); the price is that an idle member learns of a rebalance up to ~3 s
 * later (a busy one fetches and heartbeats far more often).
 */
export function consumerDefaults(groupId: string) {
  return {
    groupId,
    sessionTimeout: 10000,
    heartbeatInterval: 3000,
    maxWaitTimeInMs: 3000,
    allowAutoTopicCreation: false,
    // Room for the largest message a topic accepts (see MAX_MESSAGE_BYTES).
    maxBytesPerPartition: 4 * 1024 * 1024,
    // kafkajs restarts a crashed consumer only after retriable errors; after a broker
    // restart it may see a non-retriable one and stop for good. Always restart.
    // Enough retries to ride out a broker restart without crashing (see MAX_RETRY_MS).
    retry: { initialRetryTime: 200, maxRetryTime: MAX_RETRY_MS, retries: RETRIES, restartOnFailure: async () => true },
  };
}

/** Nest Kafka transport options: one consumer group, partitions consumed concurrently. */
function transportOptions(groupId: string, settings: KafkaSettings): Required<KafkaOptions>['options'] {
  return {
    client: kafkaClientConfig(settings),
    consumer: consumerDefaults(groupId),
    run: { partitionsConsumedConcurrently: settings.partitions },
    subscribe: { fromBeginning: false },
    // Requests and replies avoid partitions whose leader this process cannot reach (a broker just died).
    producer: { allowAutoTopicCreation: false, idempotent: false, createPartitioner: ReachableLeaderPartitioner },
  };
}

/** A service's request handlers: one consumer group per service, replicas share partitions. */
function kafkaServerOptions(service: string, settings: KafkaSettings): KafkaOptions {
  return { transport: Transport.KAFKA, options: transportOptions(serviceGroupId(`${service}.rpc`), settings) };
}

/** The Nest microservice strategy serving a service's requests (its request topic, concurrently). */
export function rpcServerStrategy(service: string, settings: KafkaSettings, maxInFlight = 64): { strategy: ConcurrentServerKafka } {
  return { strategy: new ConcurrentServerKafka(kafkaServerOptions(service, settings).options!, service, maxInFlight, rpcProduceBatching(settings)) };
}

/** The gateway's request/reply client; replicas share the group and so split reply partitions. */
export function kafkaRpcClientOptions(service: string, settings: KafkaSettings): Required<KafkaOptions>['options'] {
  return transportOptions(serviceGroupId(`${service}.replies`), settings);
}
