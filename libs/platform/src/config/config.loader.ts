/**
 * Typed configuration from environment variables. Each app declares one zod
 * schema; a bad or missing variable stops the app with a message naming it.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
      const shown = value === undefined ? 'is not set' : `has invalid value ${JSON.stringify(redact(name, value))}`;
      return `${name} ${shown}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  return parsed.data;
}

function redact(name: string, value: string): string {
  if (/SECRET|PASSWORD|TOKEN|KEY/i.test(name)) return '***';
  // Connection URLs carry credentials (postgres://user:password@host): mask the password.
  return value.replace(/^([a-z][\w+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}

/** Env helpers shared by every app's schema. */
export const envInt = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

export const envBool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const envList = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

export const kafkaEnv = {
  KAFKA_BROKERS: envList('127.0.0.1:9092').pipe(z.array(z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port')).min(1)),
  KAFKA_TOPIC_PARTITIONS: envInt(6, 1, 256),
  KAFKA_REQUEST_TIMEOUT_MS: envInt(5000, 100, 120000),
  /** Requests one replica serves at once (its Kafka server takes the next message without waiting). */
  RPC_MAX_IN_FLIGHT: envInt(64, 1, 10000),
  /** Request/reply producers batch what is sent within a tick; a linger > 0 waits this long for more. */
  RPC_PRODUCE_LINGER_MS: envInt(0, 0, 50),
};

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .url()
    .refine((v) => v.startsWith('postgres'), 'expected a postgres:// URL'),
  DATABASE_POOL_SIZE: envInt(10, 1, 200),
  MIGRATIONS_RUN_ON_START: envBool(true),
};

export const redisEnv = {
  REDIS_URL: z
    .string()
    .url()
    .refine((v) => v.startsWith('redis'), 'expected a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  /** `host:port,…` of a Redis Cluster's seed nodes; when set, used instead of REDIS_URL by the processes that support it (the gateway). */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^(\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*)?$/, 'expected host:port,host:port,…')
    .default(''),
};

export const httpEnv = (defaultPort: number) => ({
  HOST: z.string().default('127.0.0.1'),
  PORT: envInt(defaultPort, 0, 65535),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SHUTDOWN_GRACE_MS: envInt(10000, 0, 120000),
});

export type KafkaEnv = z.infer<z.ZodObject<typeof kafkaEnv>>;
export type DatabaseEnv = z.infer<z.ZodObject<typeof databaseEnv>>;

/** Development-only signing secret: the platform refuses it when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'sigil-dev-only-jwt-secret-change-me-0123456789';

export const authEnv = {
  JWT_SECRET: z
    .string()
    .min(32, 'use at least 32 characters')
    .default(DEV_JWT_SECRET)
    .refine((v) => process.env['NODE_ENV'] !== 'production' || v !== DEV_JWT_SECRET, 'set a real secret in production'),
};
