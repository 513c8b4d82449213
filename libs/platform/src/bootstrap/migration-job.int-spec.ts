import { createTestDatabase, dropTestDatabase } from '@sigil/testing';
import { migrateDatabase } from './migration-job';
import { SharedTables1764100000000 } from '../database/shared-tables.migration';

describe('migrateDatabase (the migration Job)', () => {
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase('migratejob');
  });

  afterAll(async () => {
    if (url) await dropTestDatabase(url);
  });

  it('applies pending migrations once, then nothing on the next run', async () => {
    expect(await migrateDatabase('migratejob', url, [SharedTables1764100000000])).toEqual(['SharedTables1764100000000']);
    expect(await migrateDatabase('migratejob', url, [SharedTables1764100000000])).toEqual([]);
  });
});
