/** Usage: requests per credential per day by status class, and per hour by outcome, through `@sigil/sdk`. */
import { api, call } from './http';
import type { UsageRow, UsageSeriesRow } from './types';

export function getUsage(query: { from?: string; to?: string; key_id?: string } = {}): Promise<UsageRow[]> {
  return call<UsageRow[]>(() => api.usage.get(query));
}

export function getHourlyUsage(query: { from: string; to: string; key_id?: string }): Promise<UsageSeriesRow[]> {
  return call<UsageSeriesRow[]>(() => api.usage.get({ ...query, interval: 'hour', group_by: 'outcome' }));
}
