/**
 * SQL of the `tenants` table: the tenant, its plan and custom limits. A
 * tenant's row is also the lock that serialises what its plan limits (key
 * creation counts active keys under it).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomLimits, PlanName } from '@sigil/contracts';

export interface TenantRow {
  id: string;
  name: string;
  plan: PlanName;
  custom_limits: CustomLimits | null;
}

@Injectable()
export class TenantsRepository {
  /** The tenant; `lock`: FOR UPDATE, until the transaction ends. */
  async find(m: EntityManager, tenantId: string, lock = false): Promise<TenantRow | undefined> {
    const [row]: TenantRow[] = await m.query(`SELECT id, name, plan, custom_limits FROM tenants WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [tenantId]);
    return row;
  }
}
