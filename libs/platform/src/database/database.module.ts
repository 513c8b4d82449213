/**
 * A service's own PostgreSQL database through TypeORM: entities and explicit
 * migrations only (never `synchronize`). Migrations run under an advisory lock
 * so replicas starting together do not race. The DataSource is destroyed by
 * the service runtime after in-flight work has finished (see bootstrap).
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  runMigrations: boolean;
  /** Name used in logs and the migration lock. */
  service: string;
}

export function createDataSource(settings: Omit<DatabaseSettings, 'runMigrations'>): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false, // expected failures (unique violations) are mapped; unexpected ones are logged by the caller
    extra: { max: settings.poolSize, connectionTimeoutMillis: 5000, application_name: `sigil-${settings.service}` },
  });
}

export async function runMigrationsLocked(dataSource: DataSource, service: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`sigil-migrations-${service}`]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`sigil-migrations-${service}`]).catch(() => undefined);
    await runner.release();
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(settings: DatabaseSettings): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = await createDataSource(settings).initialize();
            if (settings.runMigrations) await runMigrationsLocked(dataSource, settings.service);
            return dataSource;
          },
        },
      ],
      exports: [DataSource],
    };
  }
}
