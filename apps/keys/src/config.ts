/** Configuration of the keys service, from the environment. */
import { z } from 'zod';
import { authEnv, databaseEnv, envInt, httpEnv, kafkaEnv } from '@sigil/platform';

export const KeysConfigSchema = z.object({
  ...httpEnv(3001),
  ...kafkaEnv,
  ...databaseEnv,
  ...authEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_keys'),
  ACCESS_TOKEN_TTL_SECONDS: envInt(900, 60, 86400),
  REFRESH_TOKEN_TTL_SECONDS: envInt(7 * 24 * 3600, 3600, 90 * 24 * 3600),
  LOGIN_MAX_FAILURES: envInt(5, 1, 1000),
  LOGIN_FAILURE_WINDOW_SECONDS: envInt(900, 10, 86400),
  /** How often expired audit entries (1 year) and hourly usage (90 days) are deleted. */
  RETENTION_SWEEP_INTERVAL_MS: envInt(3_600_000, 1_000, 86_400_000),
});
export type KeysConfig = z.infer<typeof KeysConfigSchema>;
export const KEYS_CONFIG = Symbol('KEYS_CONFIG');
