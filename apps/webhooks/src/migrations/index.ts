/** The webhooks database's migrations, in order. */
import { IdempotencyRecords1764200000000, SharedTables1764100000000 } from '@sigil/platform';
import { EventInbox1764100000400 } from './1764100000400-event-inbox';
import { Webhooks1764100000410 } from './1764100000410-webhooks';
import { SkippedAndRecoveries1764900000420 } from './1764900000420-skipped-and-recoveries';
import { EndpointPolicy1764900000430 } from './1764900000430-endpoint-policy';
import { PerContactOrdering1765000000440 } from './1765000000440-per-contact-ordering';

export const WEBHOOKS_MIGRATIONS = [
  SharedTables1764100000000, EventInbox1764100000400, Webhooks1764100000410, IdempotencyRecords1764200000000,
  SkippedAndRecoveries1764900000420,
  EndpointPolicy1764900000430,
  PerContactOrdering1765000000440,
];
