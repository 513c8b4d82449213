/** Configuration of the gateway, from the environment. */
import { z } from 'zod';
import { authEnv, envInt, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';

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
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
