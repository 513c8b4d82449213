/** `/v1/contacts` and `/v1/custom-fields`: one function per operation. */
import { request, requestEnvelope, type Envelope } from './http';
import type { Activity, Contact, CustomField } from './types';

export function listContacts(query: { q?: string; page?: number; limit?: number }): Promise<Envelope<Contact[]>> {
  return requestEnvelope<Contact[]>('GET', '/v1/contacts', { query });
}

export function getContact(id: string): Promise<Contact> {
  return request<Contact>('GET', `/v1/contacts/${encodeURIComponent(id)}`);
}

export function updateContact(
  id: string,
  input: { email?: string; first_name?: string | null; last_name?: string | null; phone?: string | null; tags?: string[] },
): Promise<Contact> {
  return request<Contact>('PATCH', `/v1/contacts/${encodeURIComponent(id)}`, { body: input });
}

export function deleteContact(id: string): Promise<void> {
  return request<void>('DELETE', `/v1/contacts/${encodeURIComponent(id)}`);
}

export function listActivities(id: string): Promise<Activity[]> {
  return request<Activity[]>('GET', `/v1/contacts/${encodeURIComponent(id)}/activities`, { query: { limit: 20 } });
}

export function listCustomFields(): Promise<CustomField[]> {
  return request<CustomField[]>('GET', '/v1/custom-fields', { query: { limit: 100 } });
}
