import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Members and roles (SPEC §15, issue #19): a user may belong to several
 * tenants, each membership with its role (one owner per tenant), and
 * invitations (single use, expiring). Existing users become members of their
 * tenant: the owner stays owner; `member` (never issued) becomes developer.
 * `users.tenant_id` stays as the user's home tenant (where login lands first).
 */
export class Members1764100000600 implements MigrationInterface {
  name = 'Members1764100000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE memberships (
        tenant_id   text NOT NULL REFERENCES tenants(id),
        user_id     text NOT NULL REFERENCES users(id),
        role        text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id)
      )`);
    await q.query(`CREATE INDEX memberships_user ON memberships (user_id)`);
    await q.query(`CREATE UNIQUE INDEX memberships_one_owner ON memberships (tenant_id) WHERE role = 'owner'`);
    await q.query(`
      INSERT INTO memberships (tenant_id, user_id, role, created_at)
      SELECT tenant_id, id, CASE role WHEN 'owner' THEN 'owner' ELSE 'developer' END, created_at FROM users`);
    await q.query(`
      CREATE TABLE invitations (
        id           text PRIMARY KEY,
        tenant_id    text NOT NULL REFERENCES tenants(id),
        email        text NOT NULL,
        role         text NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
        invited_by   text,
        expires_at   timestamptz NOT NULL,
        accepted_at  timestamptz,
        accepted_by  text,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invitations_tenant ON invitations (tenant_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invitations`);
    await q.query(`DROP TABLE memberships`);
  }
}
