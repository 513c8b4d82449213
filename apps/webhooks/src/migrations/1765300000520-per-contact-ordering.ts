import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ordering: "per_contact"` (SPEC §14): an endpoint's ordering mode; each
 * delivery's contact (null when the event is about none) and its place in the
 * order events reached the service (`seq`, from one sequence, so it is exact
 * across replicas); and the claim that lets one delivery per (endpoint,
 * contact) be in flight at a time. Rows older than this migration keep a null
 * `seq` and `contact_id`: they are never ordered.
 */
export class PerContactOrdering1765300000520 implements MigrationInterface {
  name = 'PerContactOrdering1765300000520';

  async up(q: QueryRunner): Promise<void> {
    // A constant default: no table rewrite.
    await q.query(`ALTER TABLE webhook_endpoints ADD COLUMN ordering text NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'per_contact'))`);
    await q.query(`CREATE SEQUENCE webhook_deliveries_seq AS bigint`);
    // Added without a default, then given one: a volatile default in ADD COLUMN would rewrite the whole table.
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN contact_id text, ADD COLUMN seq bigint`);
    await q.query(`ALTER TABLE webhook_deliveries ALTER COLUMN seq SET DEFAULT nextval('webhook_deliveries_seq')`);
    await q.query(`ALTER SEQUENCE webhook_deliveries_seq OWNED BY webhook_deliveries.seq`);
    // A contact's queue on an endpoint: its pending deliveries in order (the head is the first).
    await q.query(
      `CREATE INDEX webhook_deliveries_contact_queue ON webhook_deliveries (endpoint_id, contact_id, seq) WHERE status = 'pending' AND contact_id IS NOT NULL`,
    );
    // One row per (endpoint, contact) with a delivery in flight; deleted when the attempt is recorded.
    await q.query(`
      CREATE TABLE webhook_ordering_claims (
        endpoint_id  text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        contact_id   text NOT NULL,
        delivery_id  text NOT NULL,
        -- A crashed worker's claim lapses then (the attempt's deadline and a margin).
        until        timestamptz NOT NULL,
        PRIMARY KEY (endpoint_id, contact_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_ordering_claims');
    await q.query('DROP INDEX webhook_deliveries_contact_queue');
    await q.query('ALTER TABLE webhook_deliveries DROP COLUMN contact_id, DROP COLUMN seq');
    await q.query('ALTER TABLE webhook_endpoints DROP COLUMN ordering');
  }
}
