/** The contacts database's migrations, in order. */
import { IdempotencyRecords1764200000000, OutboxJson1765500000000, SharedTables1764100000000 } from '@sigil/platform';
import { Contacts1764100000100 } from './1764100000100-contacts';
import { ContactsFull1764100000110 } from './1764100000110-contacts-full';
import { ContactsExternalId1764300000100 } from './1764300000100-contacts-external-id';
import { ContactMerges1764300000110 } from './1764300000110-contact-merges';
import { ContactsConsent1764300000120 } from './1764300000120-contacts-consent';
import { Imports1764400000300 } from './1764400000300-imports';
import { SuppressionAnnouncements1765200000100 } from './1765200000100-suppression-announcements';
import { ContactsPlanIndexes1765200000110 } from './1765200000110-contacts-plan-indexes';
import { ContactsWritePathIndexes1765300000100 } from './1765300000100-contacts-write-path-indexes';

export const CONTACTS_MIGRATIONS = [
  SharedTables1764100000000,
  Contacts1764100000100,
  ContactsFull1764100000110,
  IdempotencyRecords1764200000000,
  ContactsExternalId1764300000100,
  ContactMerges1764300000110,
  ContactsConsent1764300000120,
  Imports1764400000300,
  SuppressionAnnouncements1765200000100,
  ContactsPlanIndexes1765200000110,
  ContactsWritePathIndexes1765300000100,
  OutboxJson1765500000000,
];
