/**
 * Applies the webhooks database's migrations and exits: the entrypoint of the
 * Kubernetes migration Job. Reads DATABASE_URL and, because one migration
 * seals the signing secrets, WEBHOOK_SECRET_KEK (refused without it in production).
 */
import 'reflect-metadata';
import { loadConfig, runMigrationJob } from '@sigil/platform';
import { KekJobConfigSchema } from './config';
import { webhooksMigrations } from './migrations';
import { SecretKeyring } from './secrets/secret-keyring';

// Filled when the job reads its configuration (inside the job's error handling), before the migrations run.
const migrations: Function[] = [];
runMigrationJob(
  'webhooks',
  () => {
    const config = loadConfig(KekJobConfigSchema);
    migrations.push(...webhooksMigrations(SecretKeyring.fromConfig(config.WEBHOOK_SECRET_KEK)));
    return config.DATABASE_URL;
  },
  migrations,
);
