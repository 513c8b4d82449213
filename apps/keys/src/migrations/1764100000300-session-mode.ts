import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions choose live or test mode (issue #21.3); the refresh token keeps it across rotations. Existing sessions stay live. */
export class SessionMode1764100000300 implements MigrationInterface {
  name = 'SessionMode1764100000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens ADD COLUMN mode text NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'test'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens DROP COLUMN mode`);
  }
}
