/** Configuration of the webhooks service, from the environment. */
import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv, redisEnv } from '@sigil/platform';

export const WebhooksConfigSchema = z.object({
  ...httpEnv(3004),
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_webhooks'),
});
export type WebhooksConfig = z.infer<typeof WebhooksConfigSchema>;
