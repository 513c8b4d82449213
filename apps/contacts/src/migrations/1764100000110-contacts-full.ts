import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contacts beyond the walking skeleton: the sync position of every row,
 * indexes for listing (tag, prefix search, sorts), custom field definitions
 * and their typed values, and activities. See docs/contacts.md for why.
 */
export class ContactsFull1764100000110 implements MigrationInterface {
  name = 'ContactsFull1764100000110';

  async up(q: QueryRunner): Promise<void> {
    // btree_gin lets the tags GIN index start with tenant_id and mode like every other index.
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);

    // The id of the transaction that last wrote the row: the incremental-sync order (docs/contacts.md).
    await q.query(`ALTER TABLE contacts ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX contacts_tenant_sync ON contacts (tenant_id, mode, sync_xid, id)`);
    await q.query(`CREATE INDEX contacts_tenant_id ON contacts (tenant_id, mode, id)`);
    await q.query(`CREATE INDEX contacts_tenant_tags ON contacts USING gin (tenant_id, mode, tags)`);
    await q.query(`CREATE INDEX contacts_tenant_email_prefix ON contacts (tenant_id, mode, lower(email) text_pattern_ops)`);
    await q.query(`CREATE INDEX contacts_tenant_first_name_prefix ON contacts (tenant_id, mode, lower(first_name) text_pattern_ops)`);
    await q.query(`CREATE INDEX contacts_tenant_last_name_prefix ON contacts (tenant_id, mode, lower(last_name) text_pattern_ops)`);

    await q.query(`
      CREATE TABLE custom_fields (
        tenant_id   text NOT NULL,
        mode        text NOT NULL CHECK (mode IN ('live', 'test')),
        key         text NOT NULL,
        label       text NOT NULL,
        type        text NOT NULL CHECK (type IN ('text', 'number', 'boolean', 'date', 'select', 'multi_select')),
        options     text[],
        required    boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, mode, key)
      )`);

    // One row per (contact, field) value — per option for multi_select — typed, so that
    // aggregates and range/equality queries are index(-only) scans of one field's values.
    await q.query(`
      CREATE TABLE custom_field_values (
        tenant_id   text NOT NULL,
        mode        text NOT NULL,
        field_key   text NOT NULL,
        contact_id  text NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        value_text  text,
        value_num   double precision,
        value_date  timestamptz
      )`);
    await q.query(`CREATE INDEX custom_field_values_contact ON custom_field_values (tenant_id, mode, contact_id)`);
    await q.query(
      `CREATE INDEX custom_field_values_text ON custom_field_values (tenant_id, mode, field_key, value_text) INCLUDE (contact_id) WHERE value_text IS NOT NULL`,
    );
    await q.query(`CREATE INDEX custom_field_values_num ON custom_field_values (tenant_id, mode, field_key, value_num) WHERE value_num IS NOT NULL`);
    await q.query(`CREATE INDEX custom_field_values_date ON custom_field_values (tenant_id, mode, field_key, value_date) WHERE value_date IS NOT NULL`);

    await q.query(`
      CREATE TABLE activities (
        id           text PRIMARY KEY,
        tenant_id    text NOT NULL,
        mode         text NOT NULL CHECK (mode IN ('live', 'test')),
        contact_id   text NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        type         text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        properties   jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX activities_tenant_contact ON activities (tenant_id, mode, contact_id, occurred_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE activities');
    await q.query('DROP TABLE custom_field_values');
    await q.query('DROP TABLE custom_fields');
    for (const index of ['sync', 'id', 'tags', 'email_prefix', 'first_name_prefix', 'last_name_prefix']) {
      await q.query(`DROP INDEX contacts_tenant_${index}`);
    }
    await q.query('ALTER TABLE contacts DROP COLUMN sync_xid');
  }
}
