/**
 * The tenant (and mode) a repository query is bound to. Every method of a
 * tenant table's repository takes the transaction's manager and then this
 * scope, so a query cannot forget the tenant: there is no method to call
 * without one (issue #20, after novu's tenant-forcing data access layer).
 */
import type { Mode } from '@sigil/contracts';

export interface TenantScope {
  tenantId: string;
  mode: Mode;
}

/** The scope of a request (or of an event: both carry `tenant_id` and `mode`). */
export function scopeOf(source: { tenant_id: string; mode: Mode }): TenantScope {
  return { tenantId: source.tenant_id, mode: source.mode };
}
