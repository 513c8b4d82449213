/** Configuration of the segments service, from the environment. */
import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv } from '@sigil/platform';

export const SegmentsConfigSchema = z.object({
  ...httpEnv(3003),
  ...kafkaEnv,
  ...databaseEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_segments'),
});
export type SegmentsConfig = z.infer<typeof SegmentsConfigSchema>;
