import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the plans of the write paths and aggregates at 1 M contacts asked for
 * (docs/contacts.md, "Query plans at 1 M contacts"):
 *
 * - A contact's deletion (GDPR delete, a merge's duplicates) cascaded to its
 *   value rows, activities and consent history, and PostgreSQL runs each
 *   cascade as `DELETE … WHERE contact_id = $1` — no tenant in it, so the
 *   indexes that start with `(tenant_id, mode)` cannot serve it and every
 *   deleted contact cost a scan of each child table (all tenants' rows).
 *   Activities and consent events keep their cascade and their tenant-first
 *   list indexes, and gain an index that starts with `contact_id`.
 * - Value rows lose their foreign key: PostgreSQL checked it with one query
 *   per inserted row, over half the cost of writing a batch's value rows.
 *   They are written only in the transaction that inserts or locks their
 *   contact, and ContactsRepository.deleteMany deletes them with their
 *   contacts (ContactsRepository owns both tables). Their index by contact
 *   becomes `(contact_id)`: a contact id is unique across tenants, so it
 *   serves the repository's tenant-scoped deletes as well, with the same
 *   number of indexes per value row.
 * - The text values' index loses `INCLUDE (contact_id)`: B-tree deduplication
 *   does not apply to an index with included columns, so every value was a
 *   full tuple; without it, the rows of one value share one posting list and
 *   an aggregate of a select field reads a fraction of the pages. No query
 *   needs the contact id from that index (deleting a field's values reads
 *   the heap, rarely).
 */
export class ContactsWritePathIndexes1765300000100 implements MigrationInterface {
  name = 'ContactsWritePathIndexes1765300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE custom_field_values DROP CONSTRAINT custom_field_values_contact_id_fkey`);
    await q.query(`CREATE INDEX custom_field_values_contact_id ON custom_field_values (contact_id)`);
    await q.query(`DROP INDEX custom_field_values_contact`);
    await q.query(`CREATE INDEX activities_contact_id ON activities (contact_id)`);
    await q.query(`CREATE INDEX consent_events_contact_id ON consent_events (contact_id)`);
    await q.query(`CREATE INDEX custom_field_values_text_dedup ON custom_field_values (tenant_id, mode, field_key, value_text) WHERE value_text IS NOT NULL`);
    await q.query(`DROP INDEX custom_field_values_text`);
    await q.query(`ALTER INDEX custom_field_values_text_dedup RENAME TO custom_field_values_text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX custom_field_values_text_include ON custom_field_values (tenant_id, mode, field_key, value_text) INCLUDE (contact_id) WHERE value_text IS NOT NULL`,
    );
    await q.query(`DROP INDEX custom_field_values_text`);
    await q.query(`ALTER INDEX custom_field_values_text_include RENAME TO custom_field_values_text`);
    await q.query(`DROP INDEX consent_events_contact_id`);
    await q.query(`DROP INDEX activities_contact_id`);
    await q.query(`CREATE INDEX custom_field_values_contact ON custom_field_values (tenant_id, mode, contact_id)`);
    await q.query(`DROP INDEX custom_field_values_contact_id`);
    await q.query(
      `ALTER TABLE custom_field_values ADD CONSTRAINT custom_field_values_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE`,
    );
  }
}
