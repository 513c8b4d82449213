/**
 * Applies the webhooks database's migrations and exits: the entrypoint of the
 * Kubernetes migration Job. Reads only DATABASE_URL, so the Job needs no other secret.
 */
import 'reflect-metadata';
import { loadConfig, runMigrationJob } from '@sigil/platform';
import { WebhooksConfigSchema } from './config';
import { WEBHOOKS_MIGRATIONS } from './migrations';

runMigrationJob('webhooks', () => loadConfig(WebhooksConfigSchema.pick({ DATABASE_URL: true })).DATABASE_URL, WEBHOOKS_MIGRATIONS);
