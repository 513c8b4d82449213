/** The audit log: one page at a time (cursor paging), with filters, through `@sigil/sdk`. */
import { api, onePage, type Envelope } from './http';
import type { AuditEntry } from './types';

export interface AuditFilters {
  action?: string;
  actor_id?: string;
  resource_id?: string;
  since?: string;
  until?: string;
}

export function listAuditLog(filters: AuditFilters, cursor?: string): Promise<Envelope<AuditEntry[]>> {
  const query = Object.fromEntries(Object.entries({ ...filters, cursor }).filter(([, v]) => v));
  return onePage<AuditEntry>(() => api.auditLog.list({ limit: 25, ...query }));
}
