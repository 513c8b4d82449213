/** The segments database's migrations, in order. */
import { IdempotencyRecords1764200000000, OutboxJson1765500000000, SharedTables1764100000000 } from '@sigil/platform';
import { Segments1764100000300 } from './1764100000300-segments';
import { SegmentsTimeComposition1765000000300 } from './1765000000300-segments-time-composition';
import { SegmentsFastDates1765200000300 } from './1765200000300-segments-fast-dates';
import { SegmentsHotSweepsExport1765300000300 } from './1765300000300-segments-hot-sweeps-export';

export const SEGMENTS_MIGRATIONS = [
  SharedTables1764100000000,
  Segments1764100000300,
  IdempotencyRecords1764200000000,
  SegmentsTimeComposition1765000000300,
  SegmentsFastDates1765200000300,
  SegmentsHotSweepsExport1765300000300,
  OutboxJson1765500000000,
];
