import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import's duplicate-row ledger moves from the `import_keys` table into the
 * worker's memory (imports/import-key-ledger.ts), rebuilt from the staged file
 * when a run resumes. The table cost a random b-tree insert and a foreign-key
 * check per row of every import — 34 s of the database's time in a 1 M-row
 * import (docs/contacts.md, "Session 20"). A job running across the upgrade
 * resumes from its saved position and rebuilds its ledger like any other.
 */
export class ImportKeysInMemory1765600000100 implements MigrationInterface {
  name = 'ImportKeysInMemory1765600000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_keys`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_keys (
        import_id text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        key_hash  bigint NOT NULL,
        PRIMARY KEY (import_id, key_hash)
      )`);
  }
}
