import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deleting an endpoint marks it (`deleted_at`) instead of removing its row in
 * the request: the cascade of its deliveries and attempts was linear in its
 * history and waited for every fan-out batch's FOR KEY SHARE on the row (a
 * 6.1 s DELETE /v1/webhooks/{id}, a 504, in session 14's long fuzz run). A
 * marked endpoint is gone for every reader; the retention purge removes its
 * rows in batches (retention/webhook-retention.ts). The partial index is the
 * purge's list of marked endpoints, empty most of the time.
 */
export class EndpointSoftDelete1765400000530 implements MigrationInterface {
  name = 'EndpointSoftDelete1765400000530';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_endpoints ADD COLUMN deleted_at timestamptz`);
    await q.query(`CREATE INDEX webhook_endpoints_deleted ON webhook_endpoints (deleted_at) WHERE deleted_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Marked endpoints were deleted as far as anyone could see: going back removes them for good.
    await q.query(`DELETE FROM webhook_endpoints WHERE deleted_at IS NOT NULL`);
    await q.query('DROP INDEX webhook_endpoints_deleted');
    await q.query('ALTER TABLE webhook_endpoints DROP COLUMN deleted_at');
  }
}
