/**
 * SQL of the `users` table: a person who signs in (email, argon2id password
 * hash) and their home tenant (`tenant_id`, where a login lands first). Every
 * write to `users` goes through here.
 *
 * A user is not one tenant's: they may belong to several (memberships), and
 * an email is unique across all tenants. So the lookup by email takes no
 * tenant — it is how a login (which names none) or an invitation for an
 * existing account learns who the user is; what a user may do in a tenant
 * is their membership's (MembershipsRepository).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A user as a login reads them. */
export interface UserRow {
  id: string;
  /** The home tenant. */
  tenant_id: string;
  email: string;
  password_hash: string;
}

@Injectable()
export class UsersRepository {
  /**
   * A new user whose home is `homeTenantId`: the tenant they signed up
   * (`role` owner) or were first invited to (`member`). That column is the
   * home tenant's legacy role; what a user may do is their memberships'.
   */
  async insert(m: EntityManager, homeTenantId: string, user: { id: string; email: string; password_hash: string; role: 'owner' | 'member' }): Promise<void> {
    await m.query(`INSERT INTO users (id, tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)`, [
      user.id,
      homeTenantId,
      user.email,
      user.password_hash,
      user.role,
    ]);
  }

  /** The user with this email (any case; emails arrive lowercased from the contract), of whichever tenant. */
  async findByEmail(m: EntityManager, email: string): Promise<UserRow | undefined> {
    const [row]: UserRow[] = await m.query(`SELECT id, tenant_id, email, password_hash FROM users WHERE lower(email) = $1`, [email]);
    return row;
  }
}
