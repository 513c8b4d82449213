/**
 * Tenants: the plan and custom limits are set only through the operator API
 * (SPEC §15), never by the tenant — a change is written with a
 * `tenant.plan_changed` event in the same transaction, which every gateway
 * applies within a second, and which the audit log records with the system
 * actor `operator`. The tenant's own settings (`leaked_key_policy`) are
 * account-wide: changed with live-mode credentials only, audited as
 * `tenant.settings_changed`.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  effectiveLimits,
  SYSTEM_ACTORS,
  type AdminTenantView,
  type AdminUpdateTenantRequest,
  type CustomLimits,
  type LeakedKeyPolicy,
  type PlanName,
  type RequestContext,
  type TenantSettingsView,
  type UpdateTenantSettingsRequest,
} from '@sigil/contracts';
import { Forbidden, NotFound, OutboxWriter, returnedRows } from '@sigil/platform';

interface TenantRow {
  id: string;
  name: string;
  plan: PlanName;
  custom_limits: CustomLimits | null;
}

function toAdminView(row: TenantRow): AdminTenantView {
  return { id: row.id, name: row.name, plan: row.plan, custom_limits: row.custom_limits, limits: effectiveLimits(row.plan, row.custom_limits) };
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async adminUpdate(tenantId: string, req: AdminUpdateTenantRequest): Promise<AdminTenantView> {
    if (!/^ten_[0-9A-Z]{26}$/.test(tenantId)) throw new NotFound('tenant', tenantId);
    return this.dataSource.transaction(async (m) => {
      const [before]: TenantRow[] = await m.query(`SELECT id, name, plan, custom_limits FROM tenants WHERE id = $1 FOR UPDATE`, [tenantId]);
      if (!before) throw new NotFound('tenant', tenantId);
      const plan = req.plan ?? before.plan;
      const custom = req.limits === undefined ? before.custom_limits : req.limits;
      await m.query(`UPDATE tenants SET plan = $2, custom_limits = $3 WHERE id = $1`, [tenantId, plan, custom === null ? null : JSON.stringify(custom)]);
      const after: TenantRow = { ...before, plan, custom_limits: custom };
      const view = toAdminView(after);
      await this.outbox.append(m, [
        {
          type: 'tenant.plan_changed',
          tenant_id: tenantId,
          mode: 'live',
          key: tenantId,
          data: {
            tenant_id: tenantId,
            plan,
            limits: view.limits,
            custom_limits: custom,
            previous: { plan: before.plan, limits: effectiveLimits(before.plan, before.custom_limits) },
          },
          previous: { plan: before.plan, custom_limits: before.custom_limits },
          // The operator API has no tenant credential: the audit log names the operator.
          actor: SYSTEM_ACTORS.operator,
        },
      ]);
      return view;
    });
  }

  async settings(ctx: RequestContext): Promise<TenantSettingsView> {
    const [row]: SettingsRow[] = await this.dataSource.query(`SELECT leaked_key_policy, settings_updated_at FROM tenants WHERE id = $1`, [ctx.tenant_id]);
    if (!row) throw new NotFound('tenant', ctx.tenant_id);
    return toSettingsView(row);
  }

  async updateSettings(ctx: RequestContext, req: UpdateTenantSettingsRequest): Promise<TenantSettingsView> {
    // Settings belong to the account, not to its test data (as members do).
    if (ctx.mode !== 'live') throw new Forbidden('insufficient_scope', 'Account settings are changed with live-mode credentials.');
    return this.dataSource.transaction(async (m) => {
      const [before]: SettingsRow[] = await m.query(`SELECT leaked_key_policy, settings_updated_at FROM tenants WHERE id = $1 FOR UPDATE`, [ctx.tenant_id]);
      if (!before) throw new NotFound('tenant', ctx.tenant_id);
      const policy = req.leaked_key_policy ?? before.leaked_key_policy;
      if (policy === before.leaked_key_policy) return toSettingsView(before);
      const [after] = returnedRows<SettingsRow>(
        await m.query(`UPDATE tenants SET leaked_key_policy = $2, settings_updated_at = now() WHERE id = $1 RETURNING leaked_key_policy, settings_updated_at`, [
          ctx.tenant_id,
          policy,
        ]),
      );
      await this.outbox.append(m, [
        {
          type: 'tenant.settings_changed',
          tenant_id: ctx.tenant_id,
          mode: 'live',
          key: ctx.tenant_id,
          data: { leaked_key_policy: policy },
          previous: { leaked_key_policy: before.leaked_key_policy },
        },
      ]);
      return toSettingsView(after!);
    });
  }
}

interface SettingsRow {
  leaked_key_policy: LeakedKeyPolicy;
  settings_updated_at: Date | null;
}

function toSettingsView(row: SettingsRow): TenantSettingsView {
  return { leaked_key_policy: row.leaked_key_policy, updated_at: row.settings_updated_at?.toISOString() ?? null };
}
