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
  type RequestContext,
  type TenantSettingsView,
  type UpdateTenantSettingsRequest,
} from '@sigil/contracts';
import { Forbidden, NotFound, OutboxWriter } from '@sigil/platform';
import { adminTenantView, tenantSettingsView, TenantsRepository, type TenantRow } from './tenants.repository';

@Injectable()
export class TenantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly tenants: TenantsRepository,
  ) {}

  async adminUpdate(tenantId: string, req: AdminUpdateTenantRequest): Promise<AdminTenantView> {
    if (!/^ten_[0-9A-Z]{26}$/.test(tenantId)) throw new NotFound('tenant', tenantId);
    return this.dataSource.transaction(async (m) => {
      const before = await this.tenants.find(m, tenantId, true);
      if (!before) throw new NotFound('tenant', tenantId);
      const plan = req.plan ?? before.plan;
      const custom = req.limits === undefined ? before.custom_limits : req.limits;
      await this.tenants.setPlan(m, tenantId, plan, custom);
      const after: TenantRow = { ...before, plan, custom_limits: custom };
      const view = adminTenantView(after);
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
    const row = await this.tenants.settings(this.dataSource.manager, ctx.tenant_id);
    if (!row) throw new NotFound('tenant', ctx.tenant_id);
    return tenantSettingsView(row);
  }

  async updateSettings(ctx: RequestContext, req: UpdateTenantSettingsRequest): Promise<TenantSettingsView> {
    // Settings belong to the account, not to its test data (as members do).
    if (ctx.mode !== 'live') throw new Forbidden('insufficient_scope', 'Account settings are changed with live-mode credentials.');
    return this.dataSource.transaction(async (m) => {
      const before = await this.tenants.settings(m, ctx.tenant_id, true);
      if (!before) throw new NotFound('tenant', ctx.tenant_id);
      const policy = req.leaked_key_policy ?? before.leaked_key_policy;
      if (policy === before.leaked_key_policy) return tenantSettingsView(before);
      const after = await this.tenants.setLeakedKeyPolicy(m, ctx.tenant_id, policy);
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
      return tenantSettingsView(after!);
    });
  }
}
