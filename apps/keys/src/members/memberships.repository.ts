/**
 * SQL of `memberships`: which users belong to which tenant, with what role
 * (one owner per tenant, a unique index). Every write to `memberships` goes
 * through here, with the member row type and its mapper to the API's view.
 * Reads join `users` for the email and, for a session's subject, `tenants`
 * for the plan its tokens carry.
 *
 * Every method of one tenant's members takes the tenant first. Two take a
 * user instead, because they read the user's own memberships across
 * tenants: the tenants a session's user belongs to, and where a login lands
 * (`homeSubject`) — the login is how the tenant is learnt.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomLimits, MemberView, PlanName, Role } from '@sigil/contracts';
import { returnedRows } from '@sigil/platform';

export interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  /** When the membership began. */
  created_at: Date;
}

/** A user as a member of one tenant: what a session of theirs in that tenant carries. */
export interface SessionSubject {
  id: string;
  tenant_id: string;
  email: string;
  role: Role;
  tenant_name: string;
  plan: PlanName;
  custom_limits: CustomLimits | null;
  /** When this membership began: carried in access tokens (`msn`), so a later removal ends exactly its sessions. */
  member_since: Date;
}

/** A tenant the user belongs to, with their role there. */
export interface UserTenantRow {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
}

export function memberView(row: MemberRow): MemberView {
  return { user_id: row.user_id, email: row.email, role: row.role, joined_at: row.created_at.toISOString() };
}

const MEMBER_COLUMNS = 'ms.user_id, u.email, ms.role, ms.created_at';

const SUBJECT_SQL = `
  SELECT u.id, ms.tenant_id, u.email, ms.role, ms.created_at AS member_since, t.name AS tenant_name, t.plan, t.custom_limits
    FROM users u JOIN memberships ms ON ms.user_id = u.id JOIN tenants t ON t.id = ms.tenant_id`;

@Injectable()
export class MembershipsRepository {
  /** Makes the user a member; returns when the membership began. A second membership of the same user, or a second owner, is a unique violation. */
  async insert(m: EntityManager, tenantId: string, userId: string, role: Role): Promise<Date> {
    const [{ created_at }]: [{ created_at: Date }] = await m.query(`INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3) RETURNING created_at`, [
      tenantId,
      userId,
      role,
    ]);
    return created_at;
  }

  /** The member; `lock`: the membership FOR UPDATE. */
  async find(m: EntityManager, tenantId: string, userId: string, lock = false): Promise<MemberRow | undefined> {
    const [row]: MemberRow[] = await m.query(
      `SELECT ${MEMBER_COLUMNS} FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ms.tenant_id = $1 AND ms.user_id = $2${lock ? ' FOR UPDATE OF ms' : ''}`,
      [tenantId, userId],
    );
    return row;
  }

  /** Whether a member of the tenant has this email (lowercased). */
  async hasEmail(m: EntityManager, tenantId: string, email: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM memberships ms JOIN users u ON u.id = ms.user_id WHERE ms.tenant_id = $1 AND lower(u.email) = $2`, [
      tenantId,
      email,
    ]);
    return rows.length > 0;
  }

  /** A keyset page by user id: `limit` rows after `after` (all when undefined), skipping `offset`. */
  async page(m: EntityManager, tenantId: string, window: { after?: string; limit: number; offset: number }): Promise<MemberRow[]> {
    const params: unknown[] = [tenantId];
    let where = 'ms.tenant_id = $1';
    if (window.after !== undefined) {
      params.push(window.after);
      where += ` AND ms.user_id > $${params.length}`;
    }
    params.push(window.limit, window.offset);
    return m.query(
      `SELECT ${MEMBER_COLUMNS} FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ${where} ORDER BY ms.user_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
  }

  async count(m: EntityManager, tenantId: string): Promise<number> {
    const [{ total }]: [{ total: number }] = await m.query(`SELECT count(*)::int AS total FROM memberships WHERE tenant_id = $1`, [tenantId]);
    return total;
  }

  /** Changes the member's role; returns the member as they now are. */
  async setRole(m: EntityManager, tenantId: string, userId: string, role: Role): Promise<MemberRow | undefined> {
    const [row] = returnedRows<MemberRow>(
      await m.query(
        `UPDATE memberships ms SET role = $3 FROM users u WHERE u.id = ms.user_id AND ms.tenant_id = $1 AND ms.user_id = $2
         RETURNING ${MEMBER_COLUMNS}`,
        [tenantId, userId, role],
      ),
    );
    return row;
  }

  async delete(m: EntityManager, tenantId: string, userId: string): Promise<void> {
    await m.query(`DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
  }

  /** The user as a member of this tenant, with the tenant's plan; undefined when they are not one. */
  async subject(m: EntityManager, tenantId: string, userId: string): Promise<SessionSubject | undefined> {
    const [row]: SessionSubject[] = await m.query(`${SUBJECT_SQL} WHERE ms.tenant_id = $1 AND u.id = $2`, [tenantId, userId]);
    return row;
  }

  /** Where a login of this user lands: their home tenant, or else their oldest membership (none when removed from every tenant). */
  async homeSubject(m: EntityManager, userId: string, homeTenantId: string): Promise<SessionSubject | undefined> {
    const [row]: SessionSubject[] = await m.query(`${SUBJECT_SQL} WHERE u.id = $1 ORDER BY (ms.tenant_id = $2) DESC, ms.created_at LIMIT 1`, [userId, homeTenantId]);
    return row;
  }

  /** The tenants the user belongs to, oldest membership first. */
  async tenantsOf(m: EntityManager, userId: string): Promise<UserTenantRow[]> {
    return m.query(
      `SELECT t.id, t.name, ms.role, ms.created_at FROM memberships ms JOIN tenants t ON t.id = ms.tenant_id
        WHERE ms.user_id = $1 ORDER BY ms.created_at, t.id`,
      [userId],
    );
  }
}
