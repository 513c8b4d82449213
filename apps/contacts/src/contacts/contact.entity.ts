/** A contact of one tenant in one mode (live/test). Written with set-based SQL (contacts.repository.ts). */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ContactSnapshot, CustomFieldValue, Mode, SubscriptionStatus } from '@sigil/contracts';

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

@Entity({ name: 'contacts' })
export class ContactEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', name: 'tenant_id' })
  tenantId: string;

  @Column({ type: 'text' })
  mode: Mode;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', name: 'first_name', nullable: true })
  firstName: string | null;

  @Column({ type: 'text', name: 'last_name', nullable: true })
  lastName: string | null;

  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', name: 'custom_fields', default: () => "'{}'::jsonb" })
  customFields: Record<string, CustomFieldValue>;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
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
