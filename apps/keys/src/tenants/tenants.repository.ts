/**
 * SQL of the `tenants` table: the tenant, its plan and custom limits (the
 * operator's), and its account settings (the tenant's own). Every write to
 * `tenants` goes through here, with the row types and their mappers to the
 * API's views. A tenant's row is also the lock that serialises what its plan
 * limits (key creation counts active keys under it).
 *
 * Every method takes the tenant first: the table is keyed by it.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { effectiveLimits, type AdminTenantView, type CustomLimits, type LeakedKeyPolicy, type PlanName, type TenantSettingsView } from '@sigil/contracts';
import { returnedRows } from '@sigil/platform';

export interface TenantRow {
  id: string;
  name: string;
  plan: PlanName;
  custom_limits: CustomLimits | null;
}

export interface SettingsRow {
  leaked_key_policy: LeakedKeyPolicy;
  settings_updated_at: Date | null;
}

export function adminTenantView(row: TenantRow): AdminTenantView {
  return { id: row.id, name: row.name, plan: row.plan, custom_limits: row.custom_limits, limits: effectiveLimits(row.plan, row.custom_limits) };
}

export function tenantSettingsView(row: SettingsRow): TenantSettingsView {
  return { leaked_key_policy: row.leaked_key_policy, updated_at: row.settings_updated_at?.toISOString() ?? null };
}

@Injectable()
export class TenantsRepository {
  /** A new tenant (signup). */
  async insert(m: EntityManager, tenantId: string, tenant: { name: string; plan: PlanName }): Promise<void> {
    await m.query(`INSERT INTO tenants (id, name, plan) VALUES ($1, $2, $3)`, [tenantId, tenant.name, tenant.plan]);
  }

  /** The tenant; `lock`: FOR UPDATE, until the transaction ends. */
  async find(m: EntityManager, tenantId: string, lock = false): Promise<TenantRow | undefined> {
    const [row]: TenantRow[] = await m.query(`SELECT id, name, plan, custom_limits FROM tenants WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [tenantId]);
    return row;
  }

  /** The operator's change: the plan and the custom limits (`null`: the plan's own). */
  async setPlan(m: EntityManager, tenantId: string, plan: PlanName, customLimits: CustomLimits | null): Promise<void> {
    await m.query(`UPDATE tenants SET plan = $2, custom_limits = $3 WHERE id = $1`, [tenantId, plan, customLimits === null ? null : JSON.stringify(customLimits)]);
  }

  /** The tenant's settings; `lock`: FOR UPDATE. */
  async settings(m: EntityManager, tenantId: string, lock = false): Promise<SettingsRow | undefined> {
    const [row]: SettingsRow[] = await m.query(`SELECT leaked_key_policy, settings_updated_at FROM tenants WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [tenantId]);
    return row;
  }

  async setLeakedKeyPolicy(m: EntityManager, tenantId: string, policy: LeakedKeyPolicy): Promise<SettingsRow | undefined> {
    const [row] = returnedRows<SettingsRow>(
      await m.query(`UPDATE tenants SET leaked_key_policy = $2, settings_updated_at = now() WHERE id = $1 RETURNING leaked_key_policy, settings_updated_at`, [
        tenantId,
        policy,
      ]),
    );
    return row;
  }
}
