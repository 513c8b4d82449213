import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-endpoint delivery policy (SPEC §14): throttle, in-flight cap, timeout, retry schedule, custom headers. NULL = default. */
export class EndpointPolicy1764900000430 implements MigrationInterface {
  name = 'EndpointPolicy1764900000430';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_endpoints
        ADD COLUMN rate_limit_per_second integer,
        ADD COLUMN max_in_flight integer,
        ADD COLUMN timeout_ms integer,
        ADD COLUMN retry_schedule text[],
        ADD COLUMN headers jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_endpoints
        DROP COLUMN rate_limit_per_second, DROP COLUMN max_in_flight, DROP COLUMN timeout_ms, DROP COLUMN retry_schedule, DROP COLUMN headers`);
  }
}
