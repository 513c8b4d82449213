import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Operator-set custom limits per tenant (SPEC §15, issue #19): null means the plan's limits apply. */
export class TenantLimits1764100000400 implements MigrationInterface {
  name = 'TenantLimits1764100000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN custom_limits jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants DROP COLUMN custom_limits`);
  }
}
