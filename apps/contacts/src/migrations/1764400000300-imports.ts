import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import jobs (SPEC §12, docs/contacts.md "Import jobs"): the job, the
 * uploaded file's bytes staged in 1 MiB chunks (written by the gateway while
 * the upload streams), the match keys already imported (duplicate rows of
 * one file, across chunks and restarts) and the per-row error report.
 */
export class Imports1764400000300 implements MigrationInterface {
  name = 'Imports1764400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id             text PRIMARY KEY,
        tenant_id      text NOT NULL,
        mode           text NOT NULL CHECK (mode IN ('live', 'test')),
        status         text NOT NULL CHECK (status IN ('uploading', 'queued', 'running', 'completed', 'failed', 'cancelled')),
        options        jsonb NOT NULL,
        bytes          bigint NOT NULL DEFAULT 0,
        header         jsonb NOT NULL DEFAULT '[]',
        rows_total     integer NOT NULL DEFAULT 0,
        next_offset    bigint NOT NULL DEFAULT 0,
        rows_processed integer NOT NULL DEFAULT 0,
        created        integer NOT NULL DEFAULT 0,
        updated        integer NOT NULL DEFAULT 0,
        failed         integer NOT NULL DEFAULT 0,
        error          text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        started_at     timestamptz,
        completed_at   timestamptz
      )`);
    await q.query(`CREATE INDEX imports_tenant ON imports (tenant_id, mode, id)`);
    await q.query(`CREATE INDEX imports_unfinished ON imports (status, created_at) WHERE status IN ('uploading', 'queued', 'running')`);
    // Raw bytes: CSV compresses well, but pglz on every 1 MiB chunk costs more CPU than the disk it saves for a file kept minutes.
    await q.query(`
      CREATE TABLE import_chunks (
        import_id   text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        seq         integer NOT NULL,
        file_offset bigint NOT NULL,
        data        bytea NOT NULL,
        PRIMARY KEY (import_id, seq)
      )`);
    await q.query(`ALTER TABLE import_chunks ALTER COLUMN data SET STORAGE EXTERNAL`);
    await q.query(`
      CREATE TABLE import_keys (
        import_id text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        key_hash  bigint NOT NULL,
        PRIMARY KEY (import_id, key_hash)
      )`);
    await q.query(`
      CREATE TABLE import_errors (
        import_id text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        row_no    integer NOT NULL,
        code      text NOT NULL,
        reason    text NOT NULL,
        data      text NOT NULL,
        PRIMARY KEY (import_id, row_no)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_errors, import_keys, import_chunks, imports`);
  }
}
