import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Domain suppressions are announced to their contacts (version bump and one
 * `contact.updated` each) in bounded windows of the tenant's contacts, one
 * transaction per window, instead of one transaction over all of them. This
 * table is the walk's durable position: a row is written with the
 * suppression's change and removed when the walk ends, so a walk cut short
 * by a crash resumes where it stopped (docs/contacts.md, "Suppressions").
 */
export class SuppressionAnnouncements1765200000100 implements MigrationInterface {
  name = 'SuppressionAnnouncements1765200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE suppression_announcements (
        id          text PRIMARY KEY,
        tenant_id   text NOT NULL,
        mode        text NOT NULL CHECK (mode IN ('live', 'test')),
        domain      text NOT NULL,
        after_id    text NOT NULL DEFAULT '',
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE suppression_announcements`);
  }
}
