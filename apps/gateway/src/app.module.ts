/** The gateway: the only public surface. Authenticates, forwards over Kafka, maps replies to HTTP. */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import type { Cluster, default as Redis } from 'ioredis';
import {
  HEALTH_CHECKS,
  HealthController,
  KAFKA_SETTINGS,
  consumersCheck,
  kafkaCheck,
  MetricsModule,
  REDIS,
  RedisModule,
  redisCheck,
  RpcClient,
  type KafkaSettings,
} from '@sigil/platform';
import { AccessState } from './auth/access-state';
import { AdminTokenGuard } from './auth/admin-token.guard';
import { ApiKeyVerifier } from './auth/api-key.verifier';
import { AuthFailureThrottle } from './auth/auth-failure-throttle';
import { AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { CredentialCache } from './auth/credential-cache';
import { ConsoleController } from './console/console.controller';
import { ConsoleFiles } from './console/console-files';
import { KeyCacheInvalidator } from './auth/key-cache-invalidator';
import { RoutePolicies } from './auth/route-policy';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { PlatformHealthController } from './health/platform-health.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { RouteMethods } from './http/route-methods';
import { applyIdempotencyToPosts, IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { AdminController } from './routes/admin.controller';
import { ApiKeysController } from './routes/api-keys.controller';
import { AuditLogController } from './routes/audit-log.controller';
import { AuthController } from './routes/auth.controller';
import { ContactsController } from './routes/contacts.controller';
import { CustomFieldsController } from './routes/custom-fields.controller';
import { ImportStaging } from './imports/import-staging';
import { ImportsController } from './routes/imports.controller';
import { ListsController } from './routes/lists.controller';
import { MeController } from './routes/me.controller';
import { MembersController } from './routes/members.controller';
import { SecretScanningController } from './routes/secret-scanning.controller';
import { SessionSwitchController } from './routes/session-switch.controller';
import { SettingsController } from './routes/settings.controller';
import { ContactSegmentsController } from './routes/contact-segments.controller';
import { SegmentsController } from './routes/segments.controller';
import { SubscriptionsController } from './routes/subscriptions.controller';
import { SuppressionsController } from './routes/suppressions.controller';
import { UsageController } from './routes/usage.controller';
import { WebhooksController } from './routes/webhooks.controller';
import { EventTypesController } from './routes/event-types.controller';
import { RateLimiter } from './rate-limit/rate-limiter';
import { UsageRecorder } from './usage/usage-recorder';

const CONTROLLERS = [
  HealthController,
  PlatformHealthController,
  OpenApiController,
  AuthController,
  SessionSwitchController,
  MeController,
  MembersController,
  ApiKeysController,
  UsageController,
  AuditLogController,
  ContactsController,
  SubscriptionsController,
  SuppressionsController,
  CustomFieldsController,
  ImportsController,
  ListsController,
  SegmentsController,
  ContactSegmentsController,
  WebhooksController,
  EventTypesController,
  SettingsController,
  AdminController,
  SecretScanningController,
  ConsoleController,
];

@Module({})
export class GatewayAppModule {
  static forRoot(config: GatewayConfig, kafka: KafkaSettings): DynamicModule {
    // No global interceptors: idempotency sits on the POST routes (run by the route pipeline), the envelope is a Fastify hook (http-setup).
    applyIdempotencyToPosts(CONTROLLERS);
    return {
      module: GatewayAppModule,
      imports: [RedisModule.forRoot(config.REDIS_URL, 'gateway', config.REDIS_CLUSTER_NODES), MetricsModule.forRoot('gateway'), DiscoveryModule],
      controllers: CONTROLLERS,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: KAFKA_SETTINGS, useValue: kafka },
        { provide: RpcClient, useFactory: () => new RpcClient({ ...kafka, service: 'gateway', timeoutMs: config.KAFKA_REQUEST_TIMEOUT_MS }) },
        { provide: HEALTH_CHECKS, inject: [REDIS], useFactory: (redis: Redis | Cluster) => [redisCheck(redis), kafkaCheck(kafka), consumersCheck()] },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        IdempotencyStore,
        // Not Nest's guard and interceptor: every route runs them from its compiled pipeline (http/route-pipeline.ts).
        IdempotencyInterceptor,
        AuthGuard,
        RoutePolicies,
        Authenticator,
        AuthFailureThrottle,
        RouteMethods,
        CredentialCache,
        ApiKeyVerifier,
        KeyCacheInvalidator,
        AccessState,
        AdminTokenGuard,
        UsageRecorder,
        RateLimiter,
        ConsoleFiles,
        ImportStaging,
      ],
    };
  }
}
