/**
 * SQL of sessions: the refresh tokens of each session (one family per
 * login, rotated on every refresh) and the failed logins per email that
 * throttle sign-in. Every write to `refresh_tokens` and `login_failures`
 * goes through here.
 *
 * Two reads take no tenant, because they are how it is learnt: a refresh
 * token found by its hash, and the failures of an email (a login names no
 * tenant). Every other method takes the tenant first.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Mode } from '@sigil/contracts';

export interface RefreshRow {
  id: string;
  tenant_id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  mode: Mode;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

@Injectable()
export class SessionsRepository {
  /** How many logins of this email failed within the window, and when the oldest of them did. */
  async recentFailures(m: EntityManager, email: string, windowSeconds: number): Promise<{ failures: number; oldest: Date | null }> {
    const [row]: [{ failures: number; oldest: Date | null }] = await m.query(
      `SELECT count(*)::int AS failures, min(failed_at) AS oldest FROM login_failures
        WHERE email = $1 AND failed_at > now() - make_interval(secs => $2)`,
      [email, windowSeconds],
    );
    return row;
  }

  async recordFailure(m: EntityManager, email: string): Promise<void> {
    await m.query(`INSERT INTO login_failures (email) VALUES ($1)`, [email]);
  }

  async clearFailures(m: EntityManager, email: string): Promise<void> {
    await m.query(`DELETE FROM login_failures WHERE email = $1`, [email]);
  }

  /** A refresh token of a session, stored by hash, valid for `ttlSeconds`. */
  async insertRefreshToken(
    m: EntityManager,
    tenantId: string,
    token: { id: string; user_id: string; family_id: string; token_hash: string; mode: Mode; ttlSeconds: number },
  ): Promise<void> {
    await m.query(
      `INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, token_hash, expires_at, mode)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7)`,
      [token.id, tenantId, token.user_id, token.family_id, token.token_hash, token.ttlSeconds, token.mode],
    );
  }

  /** The refresh token with this hash, of whichever tenant; `lock`: FOR UPDATE. */
  async findRefreshToken(m: EntityManager, tokenHash: string, lock = false): Promise<RefreshRow | undefined> {
    const [row]: RefreshRow[] = await m.query(`SELECT * FROM refresh_tokens WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`, [tokenHash]);
    return row;
  }

  async markRotated(m: EntityManager, tenantId: string, id: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET rotated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  }

  /** Ends a session: every token of its family still valid is revoked. */
  async revokeFamily(m: EntityManager, tenantId: string, familyId: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL`, [tenantId, familyId]);
  }

  /** Ends every session a user has in the tenant (a member removed). */
  async revokeUser(m: EntityManager, tenantId: string, userId: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`, [tenantId, userId]);
  }
}
