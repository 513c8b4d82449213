/** The keys service. */
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthPatterns } from '@sigil/contracts';
import { ServicePlatformModule, type KafkaSettings } from '@sigil/platform';
import type { KeysConfig } from './config';
import { KEYS_MIGRATIONS } from './migrations';

@Module({})
export class KeysAppModule {
  static forRoot(config: KeysConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: KeysAppModule,
      imports: [
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.keys,
          database: {
            service: 'keys',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: KEYS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
        }),
      ],
    };
  }
}
