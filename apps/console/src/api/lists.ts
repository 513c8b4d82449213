/** Lists: one function per operation, through `@sigil/sdk`. */
import { api, call, onePage, type Envelope } from './http';
import type { List, ListMembersChange } from './types';

export function listLists(): Promise<Envelope<List[]>> {
  return onePage<List>(() => api.lists.list({ limit: 100 }));
}

export function createList(input: { name: string }): Promise<List> {
  return call<List>(() => api.lists.create(input));
}

export function deleteList(id: string): Promise<void> {
  return call<void>(() => api.lists.delete(id));
}

/** Adds up to 1 000 contacts; the answer has one outcome per id (`added`, `already_member`, `not_found`). */
export function addListMembers(id: string, contactIds: string[]): Promise<ListMembersChange> {
  return call<ListMembersChange>(() => api.lists.addMembers(id, contactIds));
}

/** The whole list as CSV or NDJSON (the API streams it); unsubscribed and suppressed members only when asked. */
export async function exportList(id: string, format: 'csv' | 'ndjson', includeUnsubscribed = false): Promise<Blob> {
  const text = await call<string>(() => api.lists.export(id, { format, ...(includeUnsubscribed ? { include_unsubscribed: true } : {}) }));
  return new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
}
