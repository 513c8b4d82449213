/** Configuration of the contacts service, from the environment. */
import { z } from 'zod';
import { databaseEnv, envInt, httpEnv, kafkaEnv } from '@sigil/platform';

/** Development-only key of subscription tokens: refused when NODE_ENV=production. */
export const DEV_CONSENT_TOKEN_SECRET = 'sigil-dev-only-consent-token-secret-change-me';

export const ContactsConfigSchema = z.object({
  ...httpEnv(3002),
  ...kafkaEnv,
  ...databaseEnv,
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
});
export type ContactsConfig = z.infer<typeof ContactsConfigSchema>;
