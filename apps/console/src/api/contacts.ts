/** Contacts and custom fields: one function per operation, through `@sigil/sdk`. */
import { api, call, onePage, type Envelope } from './http';
import type { Activity, Contact, ContactSegment, CustomField } from './types';

export function listContacts(query: { q?: string; page?: number; limit?: number }): Promise<Envelope<Contact[]>> {
  return onePage<Contact>(() => api.contacts.list(query));
}

export function getContact(id: string): Promise<Contact> {
  return call<Contact>(() => api.contacts.get(id));
}

export function updateContact(id: string, input: { first_name?: string | null; last_name?: string | null; phone?: string | null; tags?: string[] }): Promise<Contact> {
  return call<Contact>(() => api.contacts.update(id, input));
}

export function deleteContact(id: string): Promise<void> {
  return call<void>(() => api.contacts.delete(id));
}

export async function listActivities(id: string): Promise<Activity[]> {
  return (await onePage<Activity>(() => api.contacts.listActivities(id, { limit: 20 }))).data;
}

/** The segments the contact is in now, with since when (answered by the segments service). */
export function listContactSegments(id: string): Promise<ContactSegment[]> {
  return call<ContactSegment[]>(() => api.contacts.segments(id));
}

export async function listCustomFields(): Promise<CustomField[]> {
  return (await onePage<CustomField>(() => api.customFields.list({ limit: 100 }))).data;
}
