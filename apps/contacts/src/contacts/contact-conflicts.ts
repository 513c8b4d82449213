/** The 409 for a contact write that hit a unique key: which one (email or external_id), and whose it is. */
import type { EntityManager } from 'typeorm';
import { Conflict, type TenantScope } from '@sigil/platform';
import type { ContactsRepository } from './contacts.repository';

export async function conflictOf(
  contacts: ContactsRepository,
  m: EntityManager,
  scope: TenantScope,
  wanted: { email?: string; external_id?: string | null },
  self?: string,
): Promise<Conflict> {
  if (wanted.email) {
    const existing = await contacts.idOfEmail(m, scope, wanted.email);
    if (existing && existing !== self) return new Conflict(`A contact with email '${wanted.email}' already exists.`, { existing_id: existing });
  }
  if (wanted.external_id) {
    const existing = await contacts.idOfExternalId(m, scope, wanted.external_id);
    if (existing && existing !== self) {
      return new Conflict(`A contact with external_id '${wanted.external_id}' already exists.`, { existing_id: existing });
    }
  }
  return new Conflict('The contact conflicts with a concurrent change; retry.');
}
