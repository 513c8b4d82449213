import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every domain event the webhooks service has taken in, once. */
export class EventInbox1764100000400 implements MigrationInterface {
  name = 'EventInbox1764100000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_inbox (
        event_id     text PRIMARY KEY,
        tenant_id    text NOT NULL,
        mode         text NOT NULL,
        type         text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX event_inbox_tenant_time ON event_inbox (tenant_id, mode, occurred_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE event_inbox');
  }
}
