/**
 * SQL of the tenant's suppressions (emails and whole domains that must not be
 * emailed) and of the walks announcing a domain's to its contacts. A
 * contact's `suppressed` is computed on read (`SUPPRESSED_SQL`), never
 * stored, so adding or removing a suppression changes no flag: it only bumps
 * the matched contacts' version, through ContactsRepository (the owner of
 * the contacts table: `touchByEmail`, `touchDomainWindow`), so that
 * consumers and sync clients take the new snapshot.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantScope } from '@sigil/platform';

export interface SuppressionRow {
  id: string;
  email: string | null;
  domain: string | null;
  reason: string | null;
  created_at: Date;
}

const COLUMNS = 'id, email, domain, reason, created_at';

/**
 * Which of the (lower-case) emails in text[] parameter `param` a suppression
 * of the scope (`$1` tenant, `$2` mode) matches, by the email itself or its
 * domain: two unique-index probes per email.
 */
export function suppressedEmailsSql(param: string): string {
  return `SELECT e.email FROM unnest(${param}::text[]) AS e(email)
       WHERE EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = $1 AND s.mode = $2 AND s.email = e.email)
          OR EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = $1 AND s.mode = $2 AND s.domain = split_part(e.email, '@', 2))`;
}

@Injectable()
export class SuppressionsRepository {
  /** Which of these (lower-case) emails a suppression matches, by the email itself or its domain. */
  async suppressedEmails(m: EntityManager, s: TenantScope, emails: string[]): Promise<Set<string>> {
    if (!emails.length) return new Set();
    const rows: { email: string }[] = await m.query(suppressedEmailsSql('$3'), [s.tenantId, s.mode, emails]);
    return new Set(rows.map((r) => r.email));
  }

  /** The new suppression, or undefined when the same email or domain is already suppressed. */
  async insert(m: EntityManager, s: TenantScope, row: Omit<SuppressionRow, 'created_at'>): Promise<SuppressionRow | undefined> {
    const rows: SuppressionRow[] = await m.query(
      `INSERT INTO suppressions (id, tenant_id, mode, email, domain, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [row.id, s.tenantId, s.mode, row.email, row.domain, row.reason],
    );
    return rows[0];
  }

  async find(m: EntityManager, s: TenantScope, target: { email: string | null; domain: string | null }): Promise<SuppressionRow | undefined> {
    const rows: SuppressionRow[] = await m.query(`SELECT ${COLUMNS} FROM suppressions WHERE tenant_id = $1 AND mode = $2 AND (email = $3 OR domain = $4)`, [
      s.tenantId,
      s.mode,
      target.email,
      target.domain,
    ]);
    return rows[0];
  }

  async delete(m: EntityManager, s: TenantScope, id: string): Promise<SuppressionRow | undefined> {
    const [rows]: [SuppressionRow[], number] = await m.query(`DELETE FROM suppressions WHERE tenant_id = $1 AND mode = $2 AND id = $3 RETURNING ${COLUMNS}`, [
      s.tenantId,
      s.mode,
      id,
    ]);
    return rows[0];
  }

  /** By id (= creation order), after the previous page's last id. */
  async list(m: EntityManager, s: TenantScope, limit: number, after: string | null): Promise<SuppressionRow[]> {
    return m.query(`SELECT ${COLUMNS} FROM suppressions WHERE tenant_id = $1 AND mode = $2 AND id > $3 ORDER BY id LIMIT $4`, [s.tenantId, s.mode, after ?? '', limit]);
  }

  /** Records that a domain's contacts are to be told (written in the suppression's own transaction). */
  async announceDomain(m: EntityManager, s: TenantScope, id: string, domain: string): Promise<void> {
    await m.query(`INSERT INTO suppression_announcements (id, tenant_id, mode, domain) VALUES ($1, $2, $3, $4)`, [id, s.tenantId, s.mode, domain]);
  }

  /** The announcement, locked for its walker; undefined when done or another process walks it right now. */
  async claimAnnouncement(m: EntityManager, id: string): Promise<Announcement | undefined> {
    const rows: Announcement[] = await m.query(`SELECT id, tenant_id, mode, domain, after_id FROM suppression_announcements WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
    return rows[0];
  }

  async pendingAnnouncements(m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM suppression_announcements ORDER BY created_at LIMIT 1000`);
    return rows.map((r) => r.id);
  }

  async advanceAnnouncement(m: EntityManager, id: string, after: string | null): Promise<void> {
    if (after === null) await m.query(`DELETE FROM suppression_announcements WHERE id = $1`, [id]);
    else await m.query(`UPDATE suppression_announcements SET after_id = $2 WHERE id = $1`, [id, after]);
  }
}

export interface Announcement {
  id: string;
  tenant_id: string;
  mode: TenantScope['mode'];
  domain: string;
  after_id: string;
}
