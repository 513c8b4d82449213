/** Configuration of the keys service, from the environment. */
import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv } from '@sigil/platform';

export const KeysConfigSchema = z.object({
  ...httpEnv(3001),
  ...kafkaEnv,
  ...databaseEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_keys'),
});
export type KeysConfig = z.infer<typeof KeysConfigSchema>;
