import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Contacts1764100000100 implements MigrationInterface {
  name = 'Contacts1764100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts (
        id             text PRIMARY KEY,
        tenant_id      text NOT NULL,
        mode           text NOT NULL CHECK (mode IN ('live', 'test')),
        email          text NOT NULL,
        first_name     text,
        last_name      text,
        phone          text,
        tags           text[] NOT NULL DEFAULT '{}',
        custom_fields  jsonb NOT NULL DEFAULT '{}'::jsonb,
        version        integer NOT NULL DEFAULT 1,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX contacts_tenant_email ON contacts (tenant_id, mode, lower(email))`);
    await q.query(`CREATE INDEX contacts_tenant_updated ON contacts (tenant_id, mode, updated_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contacts');
  }
}
