/**
 * A contact of one tenant in one mode (live/test) as SQL reads it, and its
 * snapshot (what events and replies carry). The table is written with
 * set-based SQL by contacts.repository.ts; TypeORM only runs that SQL (no ORM
 * entity: the one that stood here no longer matched the table).
 */
import type { ContactSnapshot, CustomFieldValue, SubscriptionStatus } from '@sigil/contracts';

/** A `contacts` row as the repository selects it. */
export interface ContactRow {
  id: string;
  external_id: string | null;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  tags: string[];
  custom_fields: Record<string, CustomFieldValue>;
  subscription_status: SubscriptionStatus;
  suppressed: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function snapshotOf(row: ContactRow): ContactSnapshot {
  return {
    id: row.id,
    external_id: row.external_id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    phone: row.phone,
    tags: row.tags,
    custom_fields: row.custom_fields,
    subscription_status: row.subscription_status,
    suppressed: row.suppressed,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    version: row.version,
  };
}
