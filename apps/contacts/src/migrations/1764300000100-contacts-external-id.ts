import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `external_id` (SPEC §12): an integration's own id of a contact, unique per
 * tenant and mode when present. The partial unique index is also the lookup
 * index of `GET /v1/contacts?external_id=` and of batch upserts by it.
 */
export class ContactsExternalId1764300000100 implements MigrationInterface {
  name = 'ContactsExternalId1764300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contacts ADD COLUMN external_id text CHECK (char_length(external_id) BETWEEN 1 AND 255)`);
    await q.query(`CREATE UNIQUE INDEX contacts_tenant_external_id ON contacts (tenant_id, mode, external_id) WHERE external_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX contacts_tenant_external_id');
    await q.query('ALTER TABLE contacts DROP COLUMN external_id');
  }
}
