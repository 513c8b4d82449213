import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { SecretKeyring } from '../secrets/secret-keyring';

/**
 * Signing secrets encrypted at rest (SPEC §14): every endpoint's secret and
 * previous secret are sealed with the configured KEK (secrets/secret-keyring.ts),
 * the KEK's id is kept per row, and the clear columns are emptied, then
 * dropped. A migration that needs configuration: built with the service's
 * keyring (migrations/index.ts), so the migration Job needs `WEBHOOK_SECRET_KEK` too.
 *
 * One transaction: endpoints are few (a sealing takes microseconds), and old
 * replicas, which read the clear columns, are stopped before migrating
 * (docs/operations.md, "Upgrade notes").
 */
export function sealedSecretsMigration(keyring: SecretKeyring): new () => MigrationInterface {
  return class SealedSecrets1765200000510 implements MigrationInterface {
    name = 'SealedSecrets1765200000510';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`SET LOCAL lock_timeout = '10s'`);
      await q.query(`
        ALTER TABLE webhook_endpoints
          ADD COLUMN secret_sealed text,
          ADD COLUMN previous_secret_sealed text,
          ADD COLUMN secret_key_id text,
          ALTER COLUMN secret DROP NOT NULL`);
      const rows = (await q.query(`SELECT id, secret, previous_secret FROM webhook_endpoints FOR UPDATE`)) as {
        id: string;
        secret: string;
        previous_secret: string | null;
      }[];
      for (let i = 0; i < rows.length; i += 500) {
        const batch = rows.slice(i, i + 500);
        await q.query(
          `UPDATE webhook_endpoints e SET secret_sealed = s.secret_sealed, previous_secret_sealed = s.previous_secret_sealed,
                  secret_key_id = $4, secret = NULL, previous_secret = NULL
             FROM unnest($1::text[], $2::text[], $3::text[]) AS s(id, secret_sealed, previous_secret_sealed)
            WHERE e.id = s.id`,
          [
            batch.map((r) => r.id),
            batch.map((r) => keyring.seal(r.id, r.secret)),
            batch.map((r) => (r.previous_secret ? keyring.seal(r.id, r.previous_secret) : null)),
            keyring.currentId,
          ],
        );
      }
      await q.query(`
        ALTER TABLE webhook_endpoints
          DROP COLUMN secret,
          DROP COLUMN previous_secret,
          ALTER COLUMN secret_sealed SET NOT NULL,
          ALTER COLUMN secret_key_id SET NOT NULL`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE webhook_endpoints ADD COLUMN secret text, ADD COLUMN previous_secret text`);
      const rows = (await q.query(`SELECT id, secret_sealed, previous_secret_sealed, secret_key_id FROM webhook_endpoints FOR UPDATE`)) as {
        id: string;
        secret_sealed: string;
        previous_secret_sealed: string | null;
        secret_key_id: string;
      }[];
      for (const r of rows) {
        await q.query(`UPDATE webhook_endpoints SET secret = $2, previous_secret = $3 WHERE id = $1`, [
          r.id,
          keyring.open(r.id, r.secret_key_id, r.secret_sealed),
          r.previous_secret_sealed ? keyring.open(r.id, r.secret_key_id, r.previous_secret_sealed) : null,
        ]);
      }
      await q.query(`
        ALTER TABLE webhook_endpoints
          ALTER COLUMN secret SET NOT NULL,
          DROP COLUMN secret_sealed, DROP COLUMN previous_secret_sealed, DROP COLUMN secret_key_id`);
    }
  };
}
