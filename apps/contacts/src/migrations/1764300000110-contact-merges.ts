import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What was merged into what (`POST /v1/contacts/merge`), ids only (no personal
 * data): a repeated merge answers the same result instead of a 404 for the
 * duplicates it already deleted, and a duplicate merged elsewhere is a 409.
 */
export class ContactMerges1764300000110 implements MigrationInterface {
  name = 'ContactMerges1764300000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contact_merges (
        tenant_id     text NOT NULL,
        mode          text NOT NULL CHECK (mode IN ('live', 'test')),
        duplicate_id  text NOT NULL,
        primary_id    text NOT NULL,
        merged_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, duplicate_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contact_merges');
  }
}
