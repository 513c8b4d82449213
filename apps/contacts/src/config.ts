/** Configuration of the contacts service, from the environment. */
import { z } from 'zod';
import { databaseEnv, envInt, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';

/** Development-only key of subscription tokens: refused when NODE_ENV=production. */
export const DEV_CONSENT_TOKEN_SECRET = 'sigil-dev-only-consent-token-secret-change-me';

export const ContactsConfigSchema = z.object({
  ...httpEnv(3002),
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_contacts'),
  /** HMAC key of double opt-in and unsubscribe tokens; rotating it invalidates every outstanding token. */
  CONSENT_TOKEN_SECRET: z
    .string()
    .min(32, 'use at least 32 characters')
    .default(DEV_CONSENT_TOKEN_SECRET)
    .refine((v) => process.env['NODE_ENV'] !== 'production' || v !== DEV_CONSENT_TOKEN_SECRET, 'set a real secret in production'),
  /** Lifetime of a double opt-in token (default 48 h) and of an unsubscribe token (default 90 days). */
  CONFIRMATION_TOKEN_TTL_SECONDS: envInt(172_800, 60, 2_592_000),
  UNSUBSCRIBE_TOKEN_TTL_SECONDS: envInt(7_776_000, 3600, 31_536_000),
  /** Rows written per import transaction (one upsert, one outbox insert, one progress update). */
  IMPORT_BATCH_ROWS: envInt(2000, 1, 10_000),
  /**
   * Import batch transactions in flight at once (ImportRunner.commitBatch: they still commit in file order,
   * exactly once); 1 runs them one after another. Each holds a pooled connection while it runs.
   */
  IMPORT_PIPELINE_DEPTH: envInt(3, 1, 4),
  /**
   * How far V8 lets the old generation grow between full collections, in % of
   * what the last one kept (V8's `--heap-growing-percent`, which NODE_OPTIONS
   * refuses; set at start). 0 leaves V8's own factor (up to 300 % on a machine
   * with over 16 GB: a 200 000-row import then peaks at ~335 MB of RSS for a
   * live heap of ~50 MB). The default, 100, holds that import to ~240 MB for
   * the same CPU per row within this box's noise (docs/contacts.md, "Session 11").
   */
  HEAP_GROWING_PERCENT: envInt(100, 0, 300),
  /** Import jobs run at once by one process. */
  IMPORT_CONCURRENCY: envInt(1, 1, 16),
  /** BullMQ job lock (ms): a killed worker's import is taken over after about this long. */
  IMPORT_JOB_LOCK_MS: envInt(30_000, 1000, 600_000),
  /** How often (ms) unfinished jobs are checked against the queue and abandoned uploads removed. */
  IMPORT_SWEEP_INTERVAL_MS: envInt(60_000, 500, 3_600_000),
  /** Contacts scanned per transaction when a domain suppression is announced to the matching ones. */
  SUPPRESSION_SCAN_ROWS: envInt(5000, 1, 100_000),
  /** How often (ms) announcements cut short (a crash) are resumed. */
  SUPPRESSION_SWEEP_INTERVAL_MS: envInt(30_000, 500, 3_600_000),
});
export type ContactsConfig = z.infer<typeof ContactsConfigSchema>;

export const CONTACTS_CONFIG = Symbol('CONTACTS_CONFIG');
