import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #17's volume targets, in the read model's physical design:
 * - HOT updates of `contacts`: every contact event sets `synced_at`, and its
 *   index (`contacts_tenant_synced`, read only by the rebuild's last step)
 *   made every such update a non-HOT one — a new entry in both indexes and a
 *   dead tuple for vacuum, per event (0 % HOT at 500 updates/s). The index
 *   goes (the rebuild walks the primary key instead) and pages keep 15 % free
 *   so an update finds room on its own page (existing pages keep their fill
 *   until rewritten; new and updated rows follow the setting).
 * - Time sweeps proportional to what can change: contacts whose `created_at`
 *   and activities whose `occurred_at` cross a window boundary are found by
 *   index (`created_at` is not changed by events, so its index keeps updates HOT).
 * - `window_exact_at`: the clock time up to which a segment's last complete
 *   sweep made its membership exact; the next sweep only looks at boundaries
 *   crossed since.
 * - `sigil_csv_cell`: the gateway's CSV cell rule (RFC 4180 quoting, a `'`
 *   before a formula), for exports rendered by the database.
 *
 * Not one transaction: indexes are built and dropped CONCURRENTLY, so the
 * service keeps applying events on a large read model meanwhile. Every step
 * can run again (a half-built index left by a failed run is dropped first).
 */
export class SegmentsHotSweepsExport1765300000300 implements MigrationInterface {
  name = 'SegmentsHotSweepsExport1765300000300';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS contacts_tenant_synced`);
    await q.query(`ALTER TABLE contacts SET (fillfactor = 85)`);
    await createIndex(q, 'contacts_tenant_created', 'contacts (tenant_id, mode, created_at)');
    await createIndex(q, 'contact_activities_window', 'contact_activities (tenant_id, mode, type, occurred_at)');
    await q.query(`ALTER TABLE segments ADD COLUMN IF NOT EXISTS window_exact_at timestamptz`);
    // One SELECT without FROM: inlined into the export's statement. Control characters are
    // written into the patterns by E'' strings; the cell is quoted when it holds one of them.
    await q.query(`
      CREATE OR REPLACE FUNCTION sigil_csv_cell(v text, phone boolean) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN v ~ E'^[=+@\\t\\r-]' AND NOT (phone AND v ~ '^[+][0-9]+$') THEN
            CASE WHEN v ~ E'[",\\r\\n]' THEN '"''' || replace(v, '"', '""') || '"' ELSE '''' || v END
          WHEN v ~ E'[",\\r\\n]' THEN '"' || replace(v, '"', '""') || '"'
          ELSE v
        END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS sigil_csv_cell(text, boolean)`);
    await q.query(`ALTER TABLE segments DROP COLUMN IF EXISTS window_exact_at`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS contact_activities_window`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS contacts_tenant_created`);
    await q.query(`ALTER TABLE contacts RESET (fillfactor)`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS contacts_tenant_synced ON contacts (tenant_id, mode, synced_at)`);
  }
}

/** CREATE INDEX CONCURRENTLY, after dropping an invalid one a failed earlier run left. */
async function createIndex(q: QueryRunner, name: string, on: string): Promise<void> {
  const [invalid] = (await q.query(
    `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`,
    [name],
  )) as unknown[];
  if (invalid) await q.query(`DROP INDEX CONCURRENTLY ${name}`);
  await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${on}`);
}
