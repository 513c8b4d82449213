import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent (SPEC §12): every contact's `subscription_status`, the history of
 * its changes, the ids of subscription tokens already used (single use), and
 * the tenant's suppressions (emails and whole domains).
 */
export class ContactsConsent1764300000120 implements MigrationInterface {
  name = 'ContactsConsent1764300000120';

  async up(q: QueryRunner): Promise<void> {
    // A constant default: PostgreSQL 11+ adds the column without rewriting the table.
    await q.query(`
      ALTER TABLE contacts ADD COLUMN subscription_status text NOT NULL DEFAULT 'subscribed'
        CHECK (subscription_status IN ('subscribed', 'unsubscribed', 'pending', 'bounced', 'complained'))`);

    await q.query(`
      CREATE TABLE consent_events (
        id           text PRIMARY KEY,
        tenant_id    text NOT NULL,
        mode         text NOT NULL CHECK (mode IN ('live', 'test')),
        contact_id   text NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        status       text NOT NULL,
        source       text NOT NULL,
        ip           text,
        actor        text NOT NULL,
        occurred_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX consent_events_contact ON consent_events (tenant_id, mode, contact_id, occurred_at DESC, id DESC)`);

    // Used token ids; a row may go once its token has expired (the signature check refuses it anyway).
    await q.query(`
      CREATE TABLE used_subscription_tokens (
        jti         text PRIMARY KEY,
        tenant_id   text NOT NULL,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE suppressions (
        id          text PRIMARY KEY,
        tenant_id   text NOT NULL,
        mode        text NOT NULL CHECK (mode IN ('live', 'test')),
        email       text,
        domain      text,
        reason      text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CHECK ((email IS NULL) <> (domain IS NULL))
      )`);
    // Also the probes of every contact read (`suppressed`): by exact email and by the email's domain.
    await q.query(`CREATE UNIQUE INDEX suppressions_email ON suppressions (tenant_id, mode, email) WHERE email IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX suppressions_domain ON suppressions (tenant_id, mode, domain) WHERE domain IS NOT NULL`);
    await q.query(`CREATE INDEX suppressions_tenant_id ON suppressions (tenant_id, mode, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE suppressions');
    await q.query('DROP TABLE used_subscription_tokens');
    await q.query('DROP TABLE consent_events');
    await q.query('ALTER TABLE contacts DROP COLUMN subscription_status');
  }
}
