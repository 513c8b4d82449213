/**
 * The audit_log table's SQL. Writes run as `sigil_audit_writer` (SET LOCAL
 * ROLE inside the write's transaction), the role that may only insert and
 * select; one row per event id, so a redelivered event changes nothing.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditActor, AuditEntryView, Mode } from '@sigil/contracts';
import type { AuditRow } from './audit-entry';

export const AUDIT_WRITER_ROLE = 'sigil_audit_writer';

/** A cursor position: the last entry's time and id (newest first). */
export type AuditPosition = [string, string];

export interface AuditFilter {
  tenant_id: string;
  /** Only this mode's entries (a test-mode credential); all modes when absent. */
  mode?: Mode;
  actor_id?: string;
  action?: string;
  resource_id?: string;
  since?: string;
  until?: string;
}

interface AuditDbRow {
  id: string;
  mode: Mode;
  occurred_at: Date;
  action: string;
  actor_type: AuditActor['type'];
  actor_id: string;
  resource_type: string;
  resource_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: { before: unknown; after: unknown };
}

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the entries not yet recorded; returns how many were new. */
  async insert(rows: AuditRow[]): Promise<number> {
    if (!rows.length) return 0;
    return this.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL ROLE ${AUDIT_WRITER_ROLE}`);
      const inserted: unknown[] = await m.query(
        `INSERT INTO audit_log (id, tenant_id, mode, occurred_at, action, actor_type, actor_id, resource_type, resource_id, ip, user_agent, request_id, changes)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                              $10::text[], $11::text[], $12::text[], $13::jsonb[])
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.tenant_id),
          rows.map((r) => r.mode),
          rows.map((r) => r.occurred_at),
          rows.map((r) => r.action),
          rows.map((r) => r.actor.type),
          rows.map((r) => r.actor.id),
          rows.map((r) => r.resource_type),
          rows.map((r) => r.resource_id),
          rows.map((r) => r.ip),
          rows.map((r) => r.user_agent),
          rows.map((r) => r.request_id),
          rows.map((r) => JSON.stringify(r.changes)),
        ],
      );
      return inserted.length;
    });
  }

  /** Newest first; `limit + 1` rows so the caller knows whether there is more. */
  async find(f: AuditFilter, window: { limit: number; offset: number; after?: AuditPosition }): Promise<AuditEntryView[]> {
    const params: unknown[] = [f.tenant_id];
    const where = ['tenant_id = $1'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (f.mode) add((p) => `mode = ${p}`, f.mode);
    if (f.actor_id) add((p) => `actor_id = ${p}`, f.actor_id);
    if (f.action) add((p) => `action = ${p}`, f.action);
    if (f.resource_id) add((p) => `resource_id = ${p}`, f.resource_id);
    if (f.since) add((p) => `occurred_at >= ${p}::timestamptz`, f.since);
    if (f.until) add((p) => `occurred_at < ${p}::timestamptz`, f.until);
    if (window.after) {
      params.push(window.after[0], window.after[1]);
      where.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(window.limit + 1, window.offset);
    const rows: AuditDbRow[] = await this.dataSource.query(
      `SELECT id, mode, occurred_at, action, actor_type, actor_id, resource_type, resource_id, ip, user_agent, request_id, changes
         FROM audit_log WHERE ${where.join(' AND ')}
        ORDER BY occurred_at DESC, id DESC
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toView);
  }

  /** Deletes up to `batch` entries older than a year, through the one path the table's triggers allow; returns how many went. */
  async purgeExpired(batch: number): Promise<number> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(`SELECT audit_log_purge($1) AS n`, [batch]);
    return n;
  }
}

function toView(r: AuditDbRow): AuditEntryView {
  return {
    id: r.id,
    action: r.action,
    actor: { type: r.actor_type, id: r.actor_id },
    resource: { type: r.resource_type, id: r.resource_id },
    mode: r.mode,
    ip: r.ip,
    user_agent: r.user_agent,
    request_id: r.request_id,
    changes: r.changes,
    occurred_at: r.occurred_at.toISOString(),
  };
}
