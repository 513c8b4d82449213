/** `/v1/lists`: one function per operation. */
import { request, requestBlob, requestEnvelope, type Envelope } from './http';
import type { List } from './types';

export function listLists(): Promise<Envelope<List[]>> {
  return requestEnvelope<List[]>('GET', '/v1/lists', { query: { limit: 100 } });
}

export function createList(input: { name: string; description?: string | null }): Promise<List> {
  return request<List>('POST', '/v1/lists', { body: input });
}

export function deleteList(id: string): Promise<void> {
  return request<void>('DELETE', `/v1/lists/${encodeURIComponent(id)}`);
}

export function exportList(id: string, format: 'csv' | 'ndjson'): Promise<Blob> {
  return requestBlob(`/v1/lists/${encodeURIComponent(id)}/export`, { format });
}
