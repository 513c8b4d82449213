/** The keys database's migrations, in order. */
import { SharedTables1764100000000 } from '@sigil/platform';

export const KEYS_MIGRATIONS = [SharedTables1764100000000];
