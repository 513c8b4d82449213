/** A contact of one tenant in one mode (live/test). */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ContactSnapshot, CustomFieldValue, ContactView, Mode } from '@sigil/contracts';

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

  toSnapshot(): ContactSnapshot {
    return { ...this.toView(), version: this.version };
  }

  toView(): ContactView {
    return {
      id: this.id,
      email: this.email,
      first_name: this.firstName,
      last_name: this.lastName,
      phone: this.phone,
      tags: this.tags,
      custom_fields: this.customFields,
      created_at: this.createdAt.toISOString(),
      updated_at: this.updatedAt.toISOString(),
    };
  }
}
