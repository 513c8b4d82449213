/**
 * What every backend service gets from the platform in one import: its
 * database (migrated), the outbox writer and relay, health endpoints with the
 * right checks, the Kafka settings, and the table of its request handlers
 * for the request/reply server.
 */
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseModule, type DatabaseSettings } from '../database/database.module';
import { HEALTH_CHECKS, consumersCheck, databaseCheck, kafkaCheck, type HealthCheck } from '../health/health.checks';
import { HealthController } from '../health/health.controller';
import { healthHandlersFor } from '../health/health.handlers';
import type { KafkaSettings } from '../kafka/kafka.config';
import { OutboxRelay, OUTBOX_RELAY_SETTINGS, type OutboxRelaySettings } from '../outbox/outbox.relay';
import { OutboxWriter } from '../outbox/outbox.writer';
import { IdempotencyLedger } from '../idempotency/idempotency-ledger';
import { RpcDispatch } from '../kafka/rpc-dispatch';
import { MetricsModule } from '../metrics/metrics.module';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

export interface ServicePlatformOptions {
  kafka: KafkaSettings;
  database: DatabaseSettings;
  /** The service's pattern in `HealthPatterns`, answered with its readiness. */
  healthPattern: string;
  /** Extra readiness checks (e.g. Redis), built from injected providers. */
  extraChecks?: { inject: unknown[]; useFactory: (...deps: never[]) => HealthCheck[] };
  /**
   * Keep the idempotency ledger (default true; needs the
   * `IdempotencyRecords` migration). Off where replies carry one-time secrets
   * that must not be stored.
   */
  idempotencyLedger?: boolean;
}

@Module({})
export class ServicePlatformModule {
  static forRoot(options: ServicePlatformOptions): DynamicModule {
    const extra = options.extraChecks;
    const providers: Provider[] = [
      { provide: KAFKA_SETTINGS, useValue: options.kafka },
      OutboxWriter,
      // The request/reply server calls the @HandleRpc methods directly (kafka/rpc-dispatch.ts).
      RpcDispatch,
      {
        provide: OUTBOX_RELAY_SETTINGS,
        useValue: { kafka: options.kafka, databaseUrl: options.database.url } satisfies OutboxRelaySettings,
      },
      {
        provide: OutboxRelay,
        inject: [DataSource, OUTBOX_RELAY_SETTINGS],
        useFactory: (ds: DataSource, s: OutboxRelaySettings) => new OutboxRelay(ds, s),
      },
      {
        provide: HEALTH_CHECKS,
        inject: [DataSource, ...((extra?.inject as never[]) ?? [])],
        useFactory: (ds: DataSource, ...deps: never[]) => [databaseCheck(ds), kafkaCheck(options.kafka), consumersCheck(), ...(extra ? extra.useFactory(...deps) : [])],
      },
    ];
    if (options.idempotencyLedger !== false) providers.push(IdempotencyLedger);
    return {
      module: ServicePlatformModule,
      global: true,
      imports: [DatabaseModule.forRoot(options.database), MetricsModule.forRoot(options.database.service)],
      controllers: [HealthController, healthHandlersFor(options.healthPattern)],
      providers,
      exports: [KAFKA_SETTINGS, OutboxWriter, OutboxRelay, HEALTH_CHECKS, ...(options.idempotencyLedger !== false ? [IdempotencyLedger] : [])],
    };
  }
}
