/** Configuration of the contacts service, from the environment. */
import { z } from 'zod';
import { databaseEnv, envInt, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';

export const ContactsConfigSchema = z.object({
  ...httpEnv(3002),
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_contacts'),
  /** Rows written per import transaction (one upsert, one outbox insert, one progress update). */
  IMPORT_BATCH_ROWS: envInt(2000, 1, 10_000),
  /** Import jobs run at once by one process. */
  IMPORT_CONCURRENCY: envInt(1, 1, 16),
  /** BullMQ job lock (ms): a killed worker's import is taken over after about this long. */
  IMPORT_JOB_LOCK_MS: envInt(30_000, 1000, 600_000),
  /** How often (ms) unfinished jobs are checked against the queue and abandoned uploads removed. */
  IMPORT_SWEEP_INTERVAL_MS: envInt(60_000, 500, 3_600_000),
});
export type ContactsConfig = z.infer<typeof ContactsConfigSchema>;

export const CONTACTS_CONFIG = Symbol('CONTACTS_CONFIG');
