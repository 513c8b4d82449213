/**
 * SQL of `invitations`: an invitation to join a tenant with a role, pending
 * until it is accepted, revoked or expires (its signed token is shown once
 * and not kept). Every write to `invitations` goes through here, with the row
 * type and its mapper to the API's view of a pending invitation.
 *
 * Every method takes the tenant first; accepting learns it from the token's
 * signed claims, so even a valid token of one tenant cannot reach another's
 * invitation.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PendingInvitationView, Role } from '@sigil/contracts';
import { returnedRows } from '@sigil/platform';

export interface InvitationRow {
  id: string;
  tenant_id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export function pendingInvitationView(row: InvitationRow): PendingInvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invited_by: row.invited_by,
    expires_at: row.expires_at.toISOString(),
    created_at: row.created_at.toISOString(),
  };
}

const PENDING = 'tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()';

@Injectable()
export class InvitationsRepository {
  /** A new invitation, valid for `ttlSeconds` from now (the database's clock). */
  async insert(
    m: EntityManager,
    tenantId: string,
    invitation: { id: string; email: string; role: Role; invited_by: string | null; ttlSeconds: number },
  ): Promise<InvitationRow> {
    const [row]: InvitationRow[] = await m.query(
      `INSERT INTO invitations (id, tenant_id, email, role, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING *`,
      [invitation.id, tenantId, invitation.email, invitation.role, invitation.invited_by, invitation.ttlSeconds],
    );
    return row!;
  }

  /** The invitation, whatever its state, locked FOR UPDATE (accepting it). */
  async lock(m: EntityManager, tenantId: string, id: string): Promise<InvitationRow | undefined> {
    const [row]: InvitationRow[] = await m.query(`SELECT * FROM invitations WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [id, tenantId]);
    return row;
  }

  async markAccepted(m: EntityManager, tenantId: string, id: string, userId: string): Promise<void> {
    await m.query(`UPDATE invitations SET accepted_at = now(), accepted_by = $3 WHERE tenant_id = $1 AND id = $2`, [tenantId, id, userId]);
  }

  /** Pending invitations newest first, a keyset page by id: `limit` rows before `after` (from the newest when undefined), skipping `offset`. */
  async pagePending(m: EntityManager, tenantId: string, window: { after?: string; limit: number; offset: number }): Promise<InvitationRow[]> {
    const params: unknown[] = [tenantId];
    let where = PENDING;
    if (window.after !== undefined) {
      params.push(window.after);
      where += ` AND id < $${params.length}`;
    }
    params.push(window.limit, window.offset);
    return m.query(`SELECT * FROM invitations WHERE ${where} ORDER BY id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  }

  async countPending(m: EntityManager, tenantId: string): Promise<number> {
    const [{ total }]: [{ total: number }] = await m.query(`SELECT count(*)::int AS total FROM invitations WHERE ${PENDING}`, [tenantId]);
    return total;
  }

  /** Revokes a pending (not accepted, not revoked) invitation; undefined when there is none such. */
  async revoke(m: EntityManager, tenantId: string, id: string): Promise<InvitationRow | undefined> {
    const [row] = returnedRows<InvitationRow>(
      await m.query(`UPDATE invitations SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING *`, [
        id,
        tenantId,
      ]),
    );
    return row;
  }
}
