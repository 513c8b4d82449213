/**
 * SQL of a contact's activities (`activities`): recorded one at a time,
 * listed newest first, and read whole for other services' read models.
 * A contact's activities go with it (ON DELETE CASCADE); a merge moves the
 * duplicates' activities to the primary (`moveToContact`).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActivitySnapshot, ActivityView } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';

export interface ActivityRow {
  id: string;
  contact_id: string;
  type: string;
  occurred_at: Date;
  /** `occurred_at` as PostgreSQL prints it: the exact keyset position. */
  occurred_pos: string;
  properties: Record<string, unknown>;
  created_at: Date;
}

export function activityView(row: ActivityRow): ActivityView {
  return {
    id: row.id,
    contact_id: row.contact_id,
    type: row.type,
    occurred_at: new Date(row.occurred_at).toISOString(),
    properties: row.properties,
    created_at: new Date(row.created_at).toISOString(),
  };
}

@Injectable()
export class ActivitiesRepository {
  async insert(m: EntityManager, s: TenantScope, activity: ActivityView, createdAt: Date): Promise<void> {
    await m.query(
      `INSERT INTO activities (id, tenant_id, mode, contact_id, type, occurred_at, properties, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [activity.id, s.tenantId, s.mode, activity.contact_id, activity.type, activity.occurred_at, JSON.stringify(activity.properties), createdAt],
    );
  }

  /** Re-points every activity of these contacts at `contactId` (a merge's; uses activities_tenant_contact). Returns how many moved. */
  async moveToContact(m: EntityManager, s: TenantScope, contactId: string, fromContactIds: string[]): Promise<number> {
    const [, moved]: [unknown, number] = await m.query(`UPDATE activities SET contact_id = $3 WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($4::text[])`, [
      s.tenantId,
      s.mode,
      contactId,
      fromContactIds,
    ]);
    return moved;
  }

  /**
   * A contact's activities newest first (of one type when given), after the
   * position `after` ([occurred_pos, id]); `offset` skips rows.
   */
  async page(
    m: EntityManager,
    s: TenantScope,
    contactId: string,
    window: { type?: string; after?: [string, string]; limit: number; offset: number },
  ): Promise<ActivityRow[]> {
    const params: unknown[] = [s.tenantId, s.mode, contactId];
    const where = ['tenant_id = $1', 'mode = $2', 'contact_id = $3'];
    if (window.type) {
      params.push(window.type);
      where.push(`type = $${params.length}`);
    }
    if (window.after) {
      params.push(...window.after);
      where.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(window.limit, window.offset);
    return m.query(
      `SELECT id, contact_id, type, occurred_at, occurred_at::text AS occurred_pos, properties, created_at FROM activities
       WHERE ${where.join(' AND ')}
       ORDER BY occurred_at DESC, id DESC
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
  }

  /** Every tenant's activities by id after `after` (the read models' snapshot), each with its tenant and mode. */
  async snapshotPage(m: EntityManager, after: string, limit: number): Promise<ActivitySnapshot[]> {
    const rows: Array<Omit<ActivitySnapshot, 'occurred_at'> & { occurred_at: Date }> = await m.query(
      `SELECT id, tenant_id, mode, contact_id, type, occurred_at, properties FROM activities WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() }));
  }
}
