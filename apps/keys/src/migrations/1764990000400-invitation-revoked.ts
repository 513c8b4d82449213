import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revoking a pending invitation (`DELETE /v1/members/invitations/:id`): the
 * row is kept (the audit log and `member.invitation_revoked` name it) and its
 * token is refused from then on. Pending invitations are listed per tenant,
 * newest first.
 */
export class InvitationRevoked1764990000400 implements MigrationInterface {
  name = 'InvitationRevoked1764990000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invitations ADD COLUMN revoked_at timestamptz`);
    await q.query(`CREATE INDEX invitations_pending ON invitations (tenant_id, id DESC) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX invitations_pending`);
    await q.query(`ALTER TABLE invitations DROP COLUMN revoked_at`);
  }
}
