/** Usage: requests per credential per day, by status class, through `@sigil/sdk`. */
import { api, call } from './http';
import type { UsageRow } from './types';

export function getUsage(query: { from?: string; to?: string; key_id?: string } = {}): Promise<UsageRow[]> {
  return call<UsageRow[]>(() => api.usage.get(query));
}
