/** The keys database's migrations, in order. */
import { OutboxJson1765500000000, SharedTables1764100000000 } from '@sigil/platform';
import { Keys1764100000200 } from './1764100000200-keys';
import { SessionMode1764100000300 } from './1764100000300-session-mode';
import { TenantLimits1764100000400 } from './1764100000400-tenant-limits';
import { KeyAllowedCidrs1764100000500 } from './1764100000500-key-allowed-cidrs';
import { Members1764100000600 } from './1764100000600-members';
import { AuditLog1764900000100 } from './1764900000100-audit-log';
import { AuditActorAction1764900000200 } from './1764900000200-audit-actor-action';
import { InvitationRevoked1764990000400 } from './1764990000400-invitation-revoked';
import { LeakedKeys1765000000100 } from './1765000000100-leaked-keys';

export const KEYS_MIGRATIONS = [
  SharedTables1764100000000,
  Keys1764100000200,
  SessionMode1764100000300,
  TenantLimits1764100000400,
  KeyAllowedCidrs1764100000500,
  Members1764100000600,
  AuditLog1764900000100,
  AuditActorAction1764900000200,
  InvitationRevoked1764990000400,
  LeakedKeys1765000000100,
  OutboxJson1765500000000,
];
