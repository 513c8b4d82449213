/**
 * Tenants as the operator sees them: the plan and custom limits are set only
 * through the operator API (SPEC §15), never by the tenant. A change is
 * written with a `tenant.plan_changed` event in the same transaction, which
 * every gateway applies within a second.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { effectiveLimits, type AdminTenantView, type AdminUpdateTenantRequest, type CustomLimits, type PlanName } from '@sigil/contracts';
import { NotFound, OutboxWriter } from '@sigil/platform';

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
        },
      ]);
      return view;
    });
  }
}
