/** The segments database's migrations, in order. */
import { IdempotencyRecords1764200000000, SharedTables1764100000000 } from '@sigil/platform';
import { Segments1764100000300 } from './1764100000300-segments';

export const SEGMENTS_MIGRATIONS = [SharedTables1764100000000, Segments1764100000300, IdempotencyRecords1764200000000];
