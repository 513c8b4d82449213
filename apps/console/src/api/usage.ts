/** `/v1/usage`: requests per credential per day, by status class. */
import { request } from './http';
import type { UsageRow } from './types';

export function getUsage(query: { from?: string; to?: string; key_id?: string } = {}): Promise<UsageRow[]> {
  return request<UsageRow[]>('GET', '/v1/usage', { query });
}
