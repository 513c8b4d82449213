/** The webhooks database's migrations, in order (the secrets' sealing needs the service's keyring). */
import { IdempotencyRecords1764200000000, OutboxJson1765500000000, SharedTables1764100000000 } from '@sigil/platform';
import type { SecretKeyring } from '../secrets/secret-keyring';
import { EventInbox1764100000400 } from './1764100000400-event-inbox';
import { Webhooks1764100000410 } from './1764100000410-webhooks';
import { SkippedAndRecoveries1764900000420 } from './1764900000420-skipped-and-recoveries';
import { EndpointPolicy1764900000430 } from './1764900000430-endpoint-policy';
import { EventBodies1765200000500 } from './1765200000500-event-bodies';
import { sealedSecretsMigration } from './1765200000510-sealed-secrets';
import { PerContactOrdering1765300000520 } from './1765300000520-per-contact-ordering';
import { EndpointSoftDelete1765400000530 } from './1765400000530-endpoint-soft-delete';

export function webhooksMigrations(keyring: SecretKeyring): Function[] {
  return [
    SharedTables1764100000000,
    EventInbox1764100000400,
    Webhooks1764100000410,
    IdempotencyRecords1764200000000,
    SkippedAndRecoveries1764900000420,
    EndpointPolicy1764900000430,
    EventBodies1765200000500,
    sealedSecretsMigration(keyring),
    PerContactOrdering1765300000520,
    EndpointSoftDelete1765400000530,
    OutboxJson1765500000000,
  ];
}
