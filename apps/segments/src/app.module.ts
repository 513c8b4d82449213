/** The segments service. */
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthPatterns } from '@sigil/contracts';
import { ServicePlatformModule, type KafkaSettings } from '@sigil/platform';
import type { SegmentsConfig } from './config';
import { SEGMENTS_MIGRATIONS } from './migrations';

@Module({})
export class SegmentsAppModule {
  static forRoot(config: SegmentsConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: SegmentsAppModule,
      imports: [
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.segments,
          database: {
            service: 'segments',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: SEGMENTS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
        }),
      ],
    };
  }
}
