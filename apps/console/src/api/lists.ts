/** Lists: one function per operation, through `@sigil/sdk`. */
import { api, call, onePage, type Envelope } from './http';
import type { List } from './types';

export function listLists(): Promise<Envelope<List[]>> {
  return onePage<List>(() => api.lists.list({ limit: 100 }));
}

export function createList(input: { name: string }): Promise<List> {
  return call<List>(() => api.lists.create(input));
}

export function deleteList(id: string): Promise<void> {
  return call<void>(() => api.lists.delete(id));
}

/** The whole list as CSV or NDJSON (the API streams it). */
export async function exportList(id: string, format: 'csv' | 'ndjson'): Promise<Blob> {
  const text = await call<string>(() => api.lists.export(id, { format }));
  return new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
}
