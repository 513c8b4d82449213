import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Nothing left behind (SPEC §14): deliveries of events that arrived while
 * their endpoint was disabled are kept as `skipped`; `recover` runs in the
 * background as a `webhook_recoveries` row that records its progress and
 * where it stopped, so another replica can finish it after a crash.
 */
export class SkippedAndRecoveries1764900000420 implements MigrationInterface {
  name = 'SkippedAndRecoveries1764900000420';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check`);
    await q.query(`ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'skipped'))`);
    // What a recovery walks: an endpoint's failed and skipped deliveries in creation order.
    await q.query(`CREATE INDEX webhook_deliveries_recoverable ON webhook_deliveries (endpoint_id, created_at, id) WHERE status IN ('failed', 'skipped')`);
    await q.query(`
      CREATE TABLE webhook_recoveries (
        id                 text PRIMARY KEY,
        tenant_id          text NOT NULL,
        mode               text NOT NULL,
        endpoint_id        text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        since              timestamptz NOT NULL,
        until              timestamptz NOT NULL,
        status             text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
        total              integer NOT NULL,
        recovered          integer NOT NULL DEFAULT 0,
        -- Position of the last delivery queued again (created_at, id): a resumed run starts after it.
        cursor_created_at  timestamptz,
        cursor_id          text,
        -- The replica running it holds it until then; an expired lease lets another take over.
        lease_until        timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        completed_at       timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_recoveries_running ON webhook_recoveries (lease_until) WHERE status = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_recoveries');
    await q.query('DROP INDEX webhook_deliveries_recoverable');
    await q.query(`DELETE FROM webhook_deliveries WHERE status = 'skipped'`);
    await q.query(`ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check`);
    await q.query(`ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed'))`);
  }
}
