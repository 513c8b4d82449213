/**
 * Applies the segments database's migrations and exits: the entrypoint of the
 * Kubernetes migration Job. Reads only DATABASE_URL, so the Job needs no other secret.
 */
import 'reflect-metadata';
import { loadConfig, runMigrationJob } from '@sigil/platform';
import { SegmentsConfigSchema } from './config';
import { SEGMENTS_MIGRATIONS } from './migrations';

runMigrationJob('segments', () => loadConfig(SegmentsConfigSchema.pick({ DATABASE_URL: true })).DATABASE_URL, SEGMENTS_MIGRATIONS);
