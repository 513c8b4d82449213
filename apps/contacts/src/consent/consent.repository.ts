/**
 * SQL of consent: the history of subscription status changes (appended in
 * bulk, listed newest first) and the ids of subscription tokens already used.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SubscriptionStatus } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';

export interface ConsentRow {
  id: string;
  contact_id: string;
  status: SubscriptionStatus;
  source: string;
  ip: string | null;
  actor: string;
  occurred_at: string;
}

/**
 * The INSERT of consent rows from the JSON document of parameter `param`
 * (`$1` tenant, `$2` mode), for `append` and for a writer that appends them
 * in the statement of its change (`where`: only some of the rows).
 */
export function consentInsertSql(param: string, where?: string): string {
  return `INSERT INTO consent_events (id, tenant_id, mode, contact_id, status, source, ip, actor, occurred_at)
       SELECT r.id, $1, $2, r.contact_id, r.status, r.source, r.ip, r.actor, r.occurred_at
       FROM jsonb_to_recordset(${param}::jsonb) AS r(id text, contact_id text, status text, source text, ip text, actor text, occurred_at timestamptz)
       ${where ? `WHERE ${where}` : ''}`;
}

@Injectable()
export class ConsentRepository {
  async append(m: EntityManager, s: TenantScope, rows: ConsentRow[]): Promise<void> {
    if (!rows.length) return;
    await m.query(consentInsertSql('$3'), [s.tenantId, s.mode, JSON.stringify(rows)]);
  }

  /** Newest first, keyset on (occurred_at, id); `after` is the position of the previous page's last row. */
  async list(m: EntityManager, s: TenantScope, contactId: string, limit: number, after: [string, string] | undefined): Promise<(ConsentRow & { pos: string })[]> {
    const params: unknown[] = [s.tenantId, s.mode, contactId, limit];
    let where = '';
    if (after) {
      params.push(...after);
      where = 'AND (occurred_at, id) < ($5::timestamptz, $6)';
    }
    const rows: (Omit<ConsentRow, 'occurred_at'> & { occurred_at: Date; pos: string })[] = await m.query(
      `SELECT id, contact_id, status, source, ip, actor, occurred_at, occurred_at::text AS pos FROM consent_events
       WHERE tenant_id = $1 AND mode = $2 AND contact_id = $3 ${where}
       ORDER BY occurred_at DESC, id DESC LIMIT $4`,
      params,
    );
    return rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() }));
  }

  /** Marks a token id used; false when it already was (atomic: the primary key decides between concurrent uses). */
  async useToken(m: EntityManager, tenantId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const rows: unknown[] = await m.query(`INSERT INTO used_subscription_tokens (jti, tenant_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING jti`, [
      jti,
      tenantId,
      expiresAt,
    ]);
    return rows.length === 1;
  }
}
