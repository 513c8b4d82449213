/** Configuration of the webhooks service, from the environment. */
import { z } from 'zod';
import { databaseEnv, envBool, envInt, envList, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';
import { parseDuration } from './delivery/retry-schedule';
import { isDevelopmentKek, parseKeks } from './secrets/secret-keyring';

const duration = (def: string) =>
  z
    .string()
    .default(def)
    .refine((v) => parseDuration(v) !== undefined, 'expected a duration like 500ms, 5s, 5m, 2h or 5d')
    .transform((v) => parseDuration(v)!);

/**
 * Key-encryption keys of the signing secrets (secrets/secret-keyring.ts):
 * `id:base64key,…`, the first seals; unset outside production = the public
 * development key; refused in production unless set to a real one.
 */
export const secretKeyEnv = {
  NODE_ENV: z.string().optional(),
  WEBHOOK_SECRET_KEK: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const keks = v === undefined ? [] : parseKeks(v);
      if (typeof keks === 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, message: keks });
    }),
};

/** No production start without a real KEK: the secrets it protects sign every delivery. */
export function requireKekInProduction(env: { NODE_ENV?: string; WEBHOOK_SECRET_KEK?: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return;
  const keks = env.WEBHOOK_SECRET_KEK === undefined ? [] : parseKeks(env.WEBHOOK_SECRET_KEK);
  if (typeof keks !== 'string' && (!keks.length || keks.some(isDevelopmentKek))) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['WEBHOOK_SECRET_KEK'],
      message: 'required in production (id:base64 of 32 random bytes, e.g. main:$(openssl rand -base64 32)); the development key is refused',
    });
  }
}

export const WebhooksEnvSchema = z.object({
  ...httpEnv(3004),
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_webhooks'),
  /** Each delivery holds a connection only to read and record it, never during the HTTP call. */
  DATABASE_POOL_SIZE: envInt(20, 1, 200),
  /** Delays between attempts (SPEC §7 default); one delivery makes 1 + this many attempts. */
  WEBHOOK_RETRY_SCHEDULE: envList('5s,5m,30m,2h,5h,10h,10h').pipe(
    z
      .array(z.string().refine((v) => parseDuration(v) !== undefined, 'expected durations like 5s,5m,30m'))
      .min(0)
      .max(30)
      .transform((list) => list.map((v) => parseDuration(v)!)),
  ),
  /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  WEBHOOK_TIMEOUT: duration('15s'),
  /** Deliveries in flight per process, and per endpoint across all processes. */
  WEBHOOK_CONCURRENCY: envInt(100, 1, 5000),
  WEBHOOK_ENDPOINT_CONCURRENCY: envInt(10, 1, 1000),
  /** How long the previous secret keeps signing after a rotation. */
  WEBHOOK_SECRET_ROTATION_GRACE: duration('24h'),
  /** An endpoint whose every attempt failed for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILING: duration('5d'),
  /** Plain http:// targets (local development and tests only). */
  WEBHOOK_ALLOW_HTTP: envBool(false),
  /** Private/loopback/link-local ranges deliveries may reach anyway, e.g. `127.0.0.0/8,::1/128`. */
  WEBHOOK_ALLOWED_PRIVATE_CIDRS: envList(''),
  /** DNS servers for target names (`ip` or `ip:port`, comma-separated); empty = the system's (resolv.conf). */
  WEBHOOK_DNS_SERVERS: envList(''),
  /** Wait for one DNS answer; a name gets two tries (A and AAAA are asked at once). */
  WEBHOOK_DNS_TIMEOUT: duration('2s').refine((ms) => ms >= 100 && ms <= 30_000, 'between 100ms and 30s'),
  /** BullMQ job lock: a killed worker's deliveries are taken over after about this long. */
  WEBHOOK_JOB_LOCK: duration('30s'),
  /** Sweeps deliveries left pending without a queued job (e.g. Redis lost them) this often. */
  WEBHOOK_RECONCILE_INTERVAL: duration('60s'),
  /** Credential of the queue dashboard at /admin/queues (Bearer or Basic password); unset = not mounted. */
  ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  ...secretKeyEnv,
  /** Deliveries (with their attempts) and event bodies older than this are purged (SPEC §14). */
  WEBHOOK_RETENTION: duration('30d').refine((ms) => ms >= 60_000, 'at least 1m'),
  /** How often a replica looks for rows past retention (one replica purges at a time). */
  WEBHOOK_PURGE_INTERVAL: duration('15m').refine((ms) => ms >= 1000 && ms <= 86_400_000, 'between 1s and 1d'),
  /** Rows deleted per statement: each batch holds its row locks for milliseconds. */
  WEBHOOK_PURGE_BATCH: envInt(1000, 1, 50_000),
});
export const WebhooksConfigSchema = WebhooksEnvSchema.superRefine(requireKekInProduction);
/** What the migration Job and the re-encryption command read: the database and the KEKs. */
export const KekJobConfigSchema = WebhooksEnvSchema.pick({ DATABASE_URL: true, NODE_ENV: true, WEBHOOK_SECRET_KEK: true }).superRefine(requireKekInProduction);
export type WebhooksConfig = z.infer<typeof WebhooksConfigSchema>;

export const WEBHOOKS_CONFIG = Symbol('WEBHOOKS_CONFIG');
