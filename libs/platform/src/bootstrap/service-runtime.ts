/**
 * Starts a Sigil process and stops it gracefully. `main.ts` of every app is
 * config + `startService(...)`. On SIGTERM: stop taking new work, let
 * in-flight requests, handlers and outbox relays finish, then close the
 * database, within a grace period.
 */
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ConfigError } from '../config/config.loader';
import { assertKafkajsSendFix } from '../kafka/kafkajs-send-messages.fix';
import { ensureTopics } from '../kafka/topic-admin';
import { rpcServerStrategy, type KafkaSettings } from '../kafka/kafka.config';
import { JsonLogger, type LogLevel } from '../logging/json-logger';
import { startTracing, stopTracing } from '../tracing/tracing';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServiceRuntimeOptions {
  name: string;
  module: DynamicModule | Type<unknown>;
  kafka: KafkaSettings;
  host: string;
  port: number;
  logLevel: LogLevel;
  shutdownGraceMs: number;
  /** Serve Kafka request/reply patterns (backend services). */
  rpcServer?: boolean;
  /** Requests served at once by this replica (default 64). */
  rpcMaxInFlight?: number;
  /** Last chance to configure the app before it listens (gateway: filters, hooks). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** Built after the configuration is loaded, so it may read it. */
  adapter?: () => FastifyAdapter;
}

export async function startService(options: ServiceRuntimeOptions): Promise<NestFastifyApplication> {
  startTracing(options.name);
  const logger = new JsonLogger(options.name, options.logLevel);
  await ensureTopics(options.kafka);
  const app = await NestFactory.create<NestFastifyApplication>(options.module, options.adapter?.() ?? new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES }), {
    logger,
    abortOnError: false,
  });
  if (options.rpcServer !== false) app.connectMicroservice(rpcServerStrategy(options.name, options.kafka, options.rpcMaxInFlight));
  await options.configure?.(app);
  await app.startAllMicroservices();
  await app.listen(options.port, options.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.log({ msg: `${options.name} ready`, url: `http://${options.host}:${port}` }, 'Bootstrap');
  installShutdown(app, logger, options);
  return app;
}

/**
 * The service's database, if it has one (the gateway has none). Looked up in
 * the module container rather than with `app.get`: with `abortOnError: false`
 * Nest logs a failed `app.get` as an error before throwing (reliability.md D9).
 */
function findDataSource(app: INestApplication): DataSource | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    const instance: unknown = module.providers.get(DataSource)?.instance;
    if (instance instanceof DataSource) return instance;
  }
  return undefined;
}

function installShutdown(app: INestApplication, logger: JsonLogger, options: ServiceRuntimeOptions): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ msg: `${signal} received, draining`, grace_ms: options.shutdownGraceMs }, 'Shutdown');
    const force = setTimeout(() => {
      logger.error({ msg: 'grace period over, exiting with work in flight' }, 'Shutdown');
      process.exit(1);
    }, options.shutdownGraceMs);
    force.unref();
    try {
      await app.close();
      const dataSource = findDataSource(app);
      if (dataSource?.isInitialized) await dataSource.destroy();
    } catch (err) {
      logger.error(err instanceof Error ? err : String(err), 'Shutdown');
    }
    await stopTracing();
    logger.log({ msg: 'stopped' }, 'Shutdown');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Runs an app's main; a configuration error prints its message and exits 1, with no stack. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
    } else {
      process.stderr.write(`${name}: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exit(1);
  });
}

export interface BaseServiceConfig {
  HOST: string;
  PORT: number;
  LOG_LEVEL: LogLevel;
  SHUTDOWN_GRACE_MS: number;
  KAFKA_BROKERS: string[];
  KAFKA_TOPIC_PARTITIONS: number;
  RPC_MAX_IN_FLIGHT?: number;
  RPC_PRODUCE_LINGER_MS?: number;
}

/** The whole `main` of a backend service: load its config, build its module, serve. */
export function runService<C extends BaseServiceConfig>(
  name: string,
  loadServiceConfig: () => C,
  module: (config: C, kafka: KafkaSettings) => DynamicModule,
  extra: Partial<ServiceRuntimeOptions> = {},
): void {
  runMain(name, async () => {
    assertKafkajsSendFix();
    const config = loadServiceConfig();
    const kafka: KafkaSettings = {
      brokers: config.KAFKA_BROKERS,
      clientId: name,
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      produceLingerMs: config.RPC_PRODUCE_LINGER_MS,
    };
    await startService({
      name,
      module: module(config, kafka),
      kafka,
      host: config.HOST,
      port: config.PORT,
      logLevel: config.LOG_LEVEL,
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
      rpcMaxInFlight: config.RPC_MAX_IN_FLIGHT,
      ...extra,
    });
  });
}
