import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leaked keys (SPEC §15, issue #19): each tenant's `leaked_key_policy`
 * (`revoke`, the default: a key found in public is compromised; or `notify`),
 * and the GitHub secret scanning reports received, by the SHA-256 of their
 * signed body — a second delivery of the same body is a replay and is refused.
 * Both changes are metadata-only on PostgreSQL 11+ (a constant default).
 */
export class LeakedKeys1765000000100 implements MigrationInterface {
  name = 'LeakedKeys1765000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tenants
        ADD COLUMN leaked_key_policy text NOT NULL DEFAULT 'revoke' CHECK (leaked_key_policy IN ('revoke', 'notify')),
        ADD COLUMN settings_updated_at timestamptz`);
    await q.query(`
      CREATE TABLE secret_scanning_reports (
        report_sha256   text PRIMARY KEY,
        key_identifier  text NOT NULL,
        matches         integer NOT NULL,
        found           integer NOT NULL DEFAULT 0,
        received_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE secret_scanning_reports`);
    await q.query(`ALTER TABLE tenants DROP COLUMN settings_updated_at, DROP COLUMN leaked_key_policy`);
  }
}
