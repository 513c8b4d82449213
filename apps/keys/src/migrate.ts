/**
 * Applies the keys database's migrations and exits: the entrypoint of the
 * Kubernetes migration Job. Reads only DATABASE_URL, so the Job needs no other secret.
 */
import 'reflect-metadata';
import { loadConfig, runMigrationJob } from '@sigil/platform';
import { KeysConfigSchema } from './config';
import { KEYS_MIGRATIONS } from './migrations';

runMigrationJob('keys', () => loadConfig(KeysConfigSchema.pick({ DATABASE_URL: true })).DATABASE_URL, KEYS_MIGRATIONS);
