/** Configuration of the gateway, from the environment. */
import { z } from 'zod';
import { authEnv, envBool, envInt, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';
import { parsePublicKeys } from './secret-scanning/github-signature';

export const GatewayConfigSchema = z.object({
  ...httpEnv(3000),
  ...kafkaEnv,
  ...redisEnv,
  ...authEnv,
  /** How long a replica trusts a verified key from memory; revocation events evict sooner. */
  KEY_CACHE_MEMORY_TTL_SECONDS: envInt(30, 1, 3600),
  KEY_CACHE_REDIS_TTL_SECONDS: envInt(300, 1, 86400),
  KEY_CACHE_MAX_ENTRIES: envInt(100_000, 100, 10_000_000),
  USAGE_FLUSH_INTERVAL_MS: envInt(2000, 100, 60000),
  /** Off only to measure usage recording's own cost in benchmarks (`governance` scenario): nothing is counted. */
  USAGE_RECORDING_ENABLED: envBool(true),
  /** Off only to measure the limiter's own cost in benchmarks. */
  RATE_LIMIT_ENABLED: envBool(true),
  /** Redis down: refuse with 503 (default) or let requests through, logging loudly. */
  RATE_LIMIT_FAIL_OPEN: envBool(false),
  RATE_LIMIT_TIMEOUT_MS: envInt(1000, 10, 10000),
  /** Per client IP, on the public auth routes. */
  LOGIN_LIMIT_PER_IP_PER_MINUTE: envInt(30, 1, 1_000_000),
  /** Public double opt-in and unsubscribe token routes, per client IP. */
  SUBSCRIPTION_LIMIT_PER_IP_PER_MINUTE: envInt(60, 1, 1_000_000),
  SIGNUP_LIMIT_PER_IP_PER_HOUR: envInt(20, 1, 1_000_000),
  /** Failed API-key/token authentications per IP per minute before the IP is refused (brute force). */
  AUTH_FAILURES_PER_IP_PER_MINUTE: envInt(30, 1, 1_000_000),
  /** Most IPs a replica keeps refusing at once after too many failures (the oldest go first). */
  AUTH_BLOCKLIST_MAX_ENTRIES: envInt(100_000, 1, 10_000_000),
  /** Trust X-Forwarded-For from this many proxy hops (behind an ingress). */
  TRUST_PROXY_HOPS: envInt(0, 0, 10),
  CORS_ORIGINS: z.string().default(''),
  /** The operator API's bearer token (`/v1/admin/*`); unset, those routes do not exist. */
  SIGIL_ADMIN_TOKEN: z
    .string()
    .default('')
    .refine((v) => v === '' || v.length >= 32, 'use at least 32 characters'),
  /**
   * GitHub's secret scanning public keys (docs/secret-scanning.md): the JSON of
   * `GET https://api.github.com/meta/public_keys/secret_scanning`, or its
   * `public_keys` array. Unset, `POST /v1/secret-scanning/verify` does not exist.
   */
  SECRET_SCANNING_PUBLIC_KEYS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      try {
        parsePublicKeys(v);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: err instanceof Error ? err.message : String(err) });
      }
    }),
  /**
   * The contacts database, for staging import uploads (`import_chunks` only: INSERT and DELETE).
   * Unset: `POST /v1/imports` answers 503. See docs/contacts.md, "Import jobs".
   */
  IMPORTS_DATABASE_URL: z.string().url().optional(),
  IMPORTS_DATABASE_POOL_SIZE: envInt(4, 1, 100),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
