import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The segments database: the read model of contacts (fed only by contact
 * events), static lists, segments and their materialised membership.
 */
export class Segments1764100000300 implements MigrationInterface {
  name = 'Segments1764100000300';

  async up(q: QueryRunner): Promise<void> {
    // Read model. A deleted contact stays as a tombstone (personal data erased) so that
    // an older event arriving late cannot bring it back; `version` is the contact's own.
    await q.query(`
      CREATE TABLE contacts (
        tenant_id      text NOT NULL,
        mode           text NOT NULL CHECK (mode IN ('live', 'test')),
        id             text NOT NULL,
        email          text NOT NULL,
        first_name     text,
        last_name      text,
        phone          text,
        tags           text[] NOT NULL DEFAULT '{}',
        custom_fields  jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        version        integer NOT NULL,
        deleted        boolean NOT NULL DEFAULT false,
        synced_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, id)
      )`);
    await q.query(`COMMENT ON TABLE contacts IS 'Read model of the contacts service, built only from contact events'`);
    await q.query(`CREATE INDEX contacts_tenant_synced ON contacts (tenant_id, mode, synced_at)`);
    await q.query(`
      CREATE TABLE contact_activities (
        tenant_id    text NOT NULL,
        mode         text NOT NULL,
        id           text NOT NULL,
        contact_id   text NOT NULL,
        type         text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        properties   jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (tenant_id, mode, id)
      )`);
    await q.query(`CREATE INDEX contact_activities_contact ON contact_activities (tenant_id, mode, contact_id, type, occurred_at)`);
    // Value kinds seen per custom field key, to check rule operators against the field's type
    // ('mixed' once two kinds were seen: then operators are not checked).
    await q.query(`
      CREATE TABLE custom_field_kinds (
        tenant_id  text NOT NULL,
        mode       text NOT NULL,
        key        text NOT NULL,
        kind       text NOT NULL CHECK (kind IN ('string', 'number', 'boolean', 'array', 'mixed')),
        PRIMARY KEY (tenant_id, mode, key)
      )`);

    await q.query(`
      CREATE TABLE lists (
        tenant_id    text NOT NULL,
        mode         text NOT NULL CHECK (mode IN ('live', 'test')),
        id           text NOT NULL,
        name         text NOT NULL,
        description  text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, id)
      )`);
    await q.query(`
      CREATE TABLE list_members (
        tenant_id   text NOT NULL,
        mode        text NOT NULL,
        list_id     text NOT NULL,
        contact_id  text NOT NULL,
        added_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, list_id, contact_id)
      )`);
    await q.query(`CREATE INDEX list_members_contact ON list_members (tenant_id, mode, contact_id)`);

    await q.query(`
      CREATE TABLE segments (
        tenant_id          text NOT NULL,
        mode               text NOT NULL CHECK (mode IN ('live', 'test')),
        id                 text NOT NULL,
        name               text NOT NULL,
        description        text,
        rules              jsonb NOT NULL,
        list_refs          text[] NOT NULL DEFAULT '{}',
        time_window        boolean NOT NULL DEFAULT false,
        status             text NOT NULL CHECK (status IN ('building', 'ready')),
        rules_version      integer NOT NULL DEFAULT 1,
        build_cursor       text,
        build_lease_until  timestamptz,
        built_at           timestamptz,
        window_swept_at    timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, id)
      )`);
    await q.query(`
      CREATE TABLE segment_members (
        tenant_id   text NOT NULL,
        mode        text NOT NULL,
        segment_id  text NOT NULL,
        contact_id  text NOT NULL,
        entered_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, segment_id, contact_id)
      )`);
    await q.query(`CREATE INDEX segment_members_contact ON segment_members (tenant_id, mode, contact_id)`);

    // Custom field and activity property dates arrive as JSON strings; a bad one must read as
    // "no date", not abort the query. UTC so that a date without an offset means the same everywhere.
    await q.query(`
      CREATE FUNCTION sigil_try_timestamptz(value text) RETURNS timestamptz
      LANGUAGE plpgsql STABLE SET timezone = 'UTC' AS $$
      BEGIN
        IF value IS NULL OR value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN RETURN NULL; END IF;
        RETURN value::timestamptz;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION sigil_try_timestamptz(text)');
    for (const t of ['segment_members', 'segments', 'list_members', 'lists', 'custom_field_kinds', 'contact_activities', 'contacts']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
