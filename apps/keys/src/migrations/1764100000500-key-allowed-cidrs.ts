import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Networks an API key may be used from (SPEC §15, issue #19): null means anywhere; canonical CIDR text. */
export class KeyAllowedCidrs1764100000500 implements MigrationInterface {
  name = 'KeyAllowedCidrs1764100000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN allowed_cidrs text[] CHECK (cardinality(allowed_cidrs) <= 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN allowed_cidrs`);
  }
}
