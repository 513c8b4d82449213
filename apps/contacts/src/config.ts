/** Configuration of the contacts service, from the environment. */
import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv } from '@sigil/platform';

export const ContactsConfigSchema = z.object({
  ...httpEnv(3002),
  ...kafkaEnv,
  ...databaseEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_contacts'),
});
export type ContactsConfig = z.infer<typeof ContactsConfigSchema>;
