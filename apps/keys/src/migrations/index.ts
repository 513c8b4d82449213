/** The keys database's migrations, in order. */
import { SharedTables1764100000000 } from '@sigil/platform';
import { Keys1764100000200 } from './1764100000200-keys';

export const KEYS_MIGRATIONS = [SharedTables1764100000000, Keys1764100000200];
