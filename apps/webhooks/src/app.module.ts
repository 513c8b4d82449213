/** The webhooks service: takes in every domain event and delivers signed webhooks. */
import { Module, type DynamicModule } from '@nestjs/common';
import type Redis from 'ioredis';
import { HealthPatterns } from '@sigil/contracts';
import { REDIS, RedisModule, ServicePlatformModule, redisCheck, type KafkaSettings } from '@sigil/platform';
import type { WebhooksConfig } from './config';
import { EventIntakeConsumer } from './intake/event-intake.consumer';
import { EventIntakeService } from './intake/event-intake.service';
import { WEBHOOKS_MIGRATIONS } from './migrations';

@Module({})
export class WebhooksAppModule {
  static forRoot(config: WebhooksConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: WebhooksAppModule,
      imports: [
        RedisModule.forRoot(config.REDIS_URL, 'webhooks'),
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.webhooks,
          database: {
            service: 'webhooks',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: WEBHOOKS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
          extraChecks: { inject: [REDIS], useFactory: (redis: Redis) => [redisCheck(redis)] },
        }),
      ],
      providers: [EventIntakeService, EventIntakeConsumer],
    };
  }
}
