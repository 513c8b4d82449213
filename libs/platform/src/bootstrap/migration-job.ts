/**
 * Migrations as a step of their own: in Kubernetes a Job runs each service's
 * `migrate.js` before a rollout, and the Deployments start with
 * `MIGRATIONS_RUN_ON_START=false`. Uses the same advisory lock as start-up
 * migrations, so a Job and a replica never race.
 */
import type { MixedList } from 'typeorm';
import { runMain } from './service-runtime';
import { createDataSource, runMigrationsLocked } from '../database/database.module';

/** Applies every pending migration of `service`'s database; returns the names applied. */
export async function migrateDatabase(service: string, url: string, migrations: MixedList<Function | string>): Promise<string[]> {
  // Two connections: one holds the advisory lock while the other migrates.
  const dataSource = await createDataSource({ service, url, poolSize: 2, entities: [], migrations }).initialize();
  try {
    return await runMigrationsLocked(dataSource, service);
  } finally {
    await dataSource.destroy();
  }
}

/** The whole `migrate.ts` of a service: read its database URL, migrate, print what was applied, exit. */
export function runMigrationJob(service: string, databaseUrl: () => string, migrations: MixedList<Function | string>): void {
  runMain(`${service}-migrate`, async () => {
    const applied = await migrateDatabase(service, databaseUrl(), migrations);
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', service, msg: 'migrations applied', applied })}\n`);
  });
}
