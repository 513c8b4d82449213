/** Configuration of the segments service, from the environment. */
import { z } from 'zod';
import { databaseEnv, envBool, envInt, httpEnv, kafkaEnv } from '@sigil/platform';

export const SegmentsConfigSchema = z.object({
  ...httpEnv(3003),
  ...kafkaEnv,
  ...databaseEnv,
  DATABASE_URL: databaseEnv.DATABASE_URL.default('postgres://sigil:sigil@127.0.0.1:5432/sigil_segments'),
  /** Background builds of new/edited segments and time-window sweeps. */
  SEGMENTS_BUILDER_ENABLED: envBool(true),
  SEGMENTS_BUILD_POLL_MS: envInt(1000, 50, 60000),
  SEGMENTS_BUILD_CHUNK_SIZE: envInt(2000, 10, 50000),
  /**
   * How often time-dependent segments (`within_days` windows, relative dates) are
   * re-evaluated as time passes: 30 s keeps boundary events within 60 s.
   */
  SEGMENTS_WINDOW_SWEEP_MS: envInt(30000, 100, 86400000),
  SEGMENTS_BUILD_LEASE_SECONDS: envInt(60, 5, 3600),
  /**
   * Least time between the starts of two transactions applying contact events: under load the
   * events of the interval share one transaction (read-model/partition-batches.ts).
   */
  SEGMENTS_APPLY_INTERVAL_MS: envInt(25, 0, 1000),
});
export type SegmentsConfig = z.infer<typeof SegmentsConfigSchema>;
