/** Read-model contact rows as the API shows them. */
import type { SegmentContactView } from '@sigil/contracts';

export const CONTACT_COLUMNS = 'c.id, c.email, c.first_name, c.last_name, c.phone, c.tags, c.custom_fields, c.created_at, c.updated_at';

export interface ContactRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  tags: string[];
  custom_fields: SegmentContactView['custom_fields'];
  created_at: Date;
  updated_at: Date;
}

export function contactView(row: ContactRow): SegmentContactView {
  return {
    id: row.id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    phone: row.phone,
    tags: row.tags,
    custom_fields: row.custom_fields,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
