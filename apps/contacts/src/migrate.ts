/**
 * Applies the contacts database's migrations and exits: the entrypoint of the
 * Kubernetes migration Job. Reads only DATABASE_URL, so the Job needs no other secret.
 */
import 'reflect-metadata';
import { loadConfig, runMigrationJob } from '@sigil/platform';
import { ContactsConfigSchema } from './config';
import { CONTACTS_MIGRATIONS } from './migrations';

runMigrationJob('contacts', () => loadConfig(ContactsConfigSchema.pick({ DATABASE_URL: true })).DATABASE_URL, CONTACTS_MIGRATIONS);
