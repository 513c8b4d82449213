import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One stored body per event (SPEC §14): the bytes POSTed move from every
 * delivery row into `webhook_event_bodies`, keyed by event id, and the
 * per-delivery copy is dropped.
 *
 * Not one transaction: the copy walks the deliveries in primary-key order,
 * 5 000 at a time, each batch its own statement (an insert that takes no
 * lock on the deliveries), so a table of millions is copied without holding
 * a lock for long. Only the last step — copying the rows added meanwhile and
 * dropping the column — takes the table's exclusive lock, for as long as a
 * catalogue change takes (it waits at most 10 s for the lock, then fails and
 * can simply be run again). Old replicas read the dropped column: stop them
 * before migrating (docs/operations.md, "Upgrade notes").
 */
export class EventBodies1765200000500 implements MigrationInterface {
  /** Deliveries per copied batch (a test makes it small to cross batch boundaries). */
  static batchSize = 5000;
  name = 'EventBodies1765200000500';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS webhook_event_bodies (event_id text PRIMARY KEY, tenant_id text NOT NULL, body text NOT NULL)`);
    const [column] = (await q.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'webhook_deliveries' AND column_name = 'body'`,
    )) as unknown[];
    if (!column) return; // an earlier run finished the move
    const batchSize = EventBodies1765200000500.batchSize;
    let cursor = '';
    for (;;) {
      const [batch] = (await q.query(
        `WITH batch AS (SELECT id, event_id, tenant_id, body FROM webhook_deliveries WHERE id > $1 ORDER BY id LIMIT ${batchSize}),
              copied AS (INSERT INTO webhook_event_bodies (event_id, tenant_id, body)
                         SELECT DISTINCT ON (event_id) event_id, tenant_id, body FROM batch ORDER BY event_id
                         ON CONFLICT (event_id) DO NOTHING)
         SELECT count(*)::int AS n, max(id) AS last FROM batch`,
        [cursor],
      )) as { n: number; last: string | null }[];
      if (!batch || batch.n === 0) break;
      cursor = batch.last!;
      if (batch.n < batchSize) break;
    }
    await q.startTransaction();
    try {
      await q.query(`SET LOCAL lock_timeout = '10s'`);
      await q.query(`LOCK TABLE webhook_deliveries IN ACCESS EXCLUSIVE MODE`);
      // Deliveries created while the batches ran (a service started with the migration, or a replica left running).
      await q.query(
        `INSERT INTO webhook_event_bodies (event_id, tenant_id, body)
         SELECT DISTINCT ON (event_id) event_id, tenant_id, body FROM webhook_deliveries WHERE id > $1 ORDER BY event_id
         ON CONFLICT (event_id) DO NOTHING`,
        [cursor],
      );
      await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN body`);
      await q.commitTransaction();
    } catch (err) {
      await q.rollbackTransaction();
      throw err;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN body text`);
    await q.query(`UPDATE webhook_deliveries d SET body = b.body FROM webhook_event_bodies b WHERE b.event_id = d.event_id`);
    await q.query(`ALTER TABLE webhook_deliveries ALTER COLUMN body SET NOT NULL`);
    await q.query(`DROP TABLE webhook_event_bodies`);
  }
}
