/** Configuration of the gateway, from the environment. */
import { z } from 'zod';
import { httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';

export const GatewayConfigSchema = z.object({
  ...httpEnv(3000),
  ...kafkaEnv,
  ...redisEnv,
  /** Until authentication lands, every request acts for this tenant. */
  DEV_TENANT_ID: z.string().regex(/^[a-z0-9_]{3,64}$/).default('ten_dev'),
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
