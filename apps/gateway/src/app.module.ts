/** The gateway: the only public surface. Authenticates, forwards over Kafka, maps replies to HTTP. */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type Redis from 'ioredis';
import {
  HEALTH_CHECKS,
  HealthController,
  kafkaCheck,
  REDIS,
  RedisModule,
  redisCheck,
  RpcClient,
  type KafkaSettings,
} from '@sigil/platform';
import { AuthGuard } from './auth/auth.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { PlatformHealthController } from './health/platform-health.controller';
import { EnvelopeInterceptor } from './http/envelope.interceptor';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { ContactsController } from './routes/contacts.controller';

@Module({})
export class GatewayAppModule {
  static forRoot(config: GatewayConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [RedisModule.forRoot(config.REDIS_URL, 'gateway')],
      controllers: [HealthController, PlatformHealthController, ContactsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: RpcClient, useFactory: () => new RpcClient({ ...kafka, service: 'gateway', timeoutMs: config.KAFKA_REQUEST_TIMEOUT_MS }) },
        { provide: HEALTH_CHECKS, inject: [REDIS], useFactory: (redis: Redis) => [redisCheck(redis), kafkaCheck(kafka)] },
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
