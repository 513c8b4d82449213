/** The segments database's migrations, in order. */
import { SharedTables1764100000000 } from '@sigil/platform';

export const SEGMENTS_MIGRATIONS = [SharedTables1764100000000];
