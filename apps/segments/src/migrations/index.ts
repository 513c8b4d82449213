/** The segments database's migrations, in order. */
import { SharedTables1764100000000 } from '@sigil/platform';
import { Segments1764100000300 } from './1764100000300-segments';

export const SEGMENTS_MIGRATIONS = [SharedTables1764100000000, Segments1764100000300];
