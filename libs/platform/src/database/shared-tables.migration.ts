/**
 * Tables every service database has: the transactional outbox and the
 * processed-event ledger of the idempotent consumer. Each service lists this
 * migration first in its own migrations.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SharedTables1764100000000 implements MigrationInterface {
  name = 'SharedTables1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        seq         bigserial PRIMARY KEY,
        id          text NOT NULL UNIQUE,
        topic       text NOT NULL,
        key         text NOT NULL,
        type        text NOT NULL,
        envelope    jsonb NOT NULL,
        headers     jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE processed_events (
        consumer      text NOT NULL,
        event_id      text NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await q.query(`CREATE INDEX processed_events_processed_at ON processed_events (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE processed_events');
    await q.query('DROP TABLE outbox_events');
  }
}
