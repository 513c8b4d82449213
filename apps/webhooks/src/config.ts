/** Configuration of the webhooks service, from the environment. */
import { z } from 'zod';
import { databaseEnv, envBool, envInt, envList, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';
import { parseDuration } from './delivery/retry-schedule';

const duration = (def: string) =>
  z
    .string()
    .default(def)
    .refine((v) => parseDuration(v) !== undefined, 'expected a duration like 500ms, 5s, 5m, 2h or 5d')
    .transform((v) => parseDuration(v)!);

export const WebhooksConfigSchema = z.object({
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
  /** BullMQ job lock: a killed worker's deliveries are taken over after about this long. */
  WEBHOOK_JOB_LOCK: duration('30s'),
  /** Sweeps deliveries left pending without a queued job (e.g. Redis lost them) this often. */
  WEBHOOK_RECONCILE_INTERVAL: duration('60s'),
  /** Credential of the queue dashboard at /admin/queues (Bearer or Basic password); unset = not mounted. */
  ADMIN_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
});
export type WebhooksConfig = z.infer<typeof WebhooksConfigSchema>;

export const WEBHOOKS_CONFIG = Symbol('WEBHOOKS_CONFIG');
