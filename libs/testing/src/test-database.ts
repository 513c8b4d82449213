/**
 * A service's fresh database with its migrations run, for one test file:
 * what a repository or service spec on real PostgreSQL starts from.
 */
import type { DataSource, MixedList } from 'typeorm';
import { createDataSource, runMigrationsLocked } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase } from './infra';

export class TestDatabase {
  private constructor(
    readonly dataSource: DataSource,
    readonly url: string,
  ) {}

  /** `service` names the database and the migration lock (as the service's own migrations run). */
  static async create(service: string, migrations: MixedList<Function | string>, poolSize = 4): Promise<TestDatabase> {
    const url = await createTestDatabase(service);
    const dataSource = await createDataSource({ url, poolSize, entities: [], migrations, service }).initialize();
    await runMigrationsLocked(dataSource, service);
    return new TestDatabase(dataSource, url);
  }

  async drop(): Promise<void> {
    await this.dataSource.destroy();
    await dropTestDatabase(this.url);
  }
}
