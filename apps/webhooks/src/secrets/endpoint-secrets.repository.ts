/**
 * SQL of the signing secrets' re-encryption after a KEK rotation
 * (endpoint-secrets.ts): the secret columns of `webhook_endpoints` still
 * sealed with an older key, taken a batch at a time (FOR UPDATE SKIP LOCKED,
 * so replicas share the work), written back sealed with the current one, and
 * the count of secrets sealed with a key no longer configured.
 *
 * Across tenants, on purpose: a KEK rotation concerns every endpoint, and
 * each row is re-sealed for its own id (the id is the seal's associated
 * data), never another's.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The columns of `webhook_endpoints` that hold the secrets. */
export interface SealedSecrets {
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  secret_key_id: string;
}

/** An endpoint's secrets as the re-encryption reads them. */
export type StoredSecrets = Pick<SealedSecrets, 'secret_sealed' | 'previous_secret_sealed' | 'secret_key_id'> & { id: string };

/** An endpoint's secrets sealed again. */
export interface ResealedSecrets {
  id: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
}

@Injectable()
export class EndpointSecretsRepository {
  /**
   * Locks (inside the caller's transaction) up to `limit` endpoints whose secrets are sealed with a key other than
   * `currentKeyId` that is still `known`, skipping rows another transaction holds; in id order.
   */
  async lockSealedWithOlderKeys(m: EntityManager, currentKeyId: string, known: readonly string[], limit: number): Promise<StoredSecrets[]> {
    return (await m.query(
      `SELECT id, secret_sealed, previous_secret_sealed, secret_key_id FROM webhook_endpoints
        WHERE secret_key_id <> $1 AND secret_key_id = ANY($2::text[]) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [currentKeyId, known, limit],
    )) as StoredSecrets[];
  }

  /** Writes the re-sealed secrets of these endpoints, all now sealed with `keyId`, in one statement. */
  async reseal(m: EntityManager, rows: readonly ResealedSecrets[], keyId: string): Promise<void> {
    await m.query(
      `UPDATE webhook_endpoints e SET secret_sealed = s.secret_sealed, previous_secret_sealed = s.previous_secret_sealed, secret_key_id = $4
         FROM unnest($1::text[], $2::text[], $3::text[]) AS s(id, secret_sealed, previous_secret_sealed)
        WHERE e.id = s.id`,
      [rows.map((r) => r.id), rows.map((r) => r.secret_sealed), rows.map((r) => r.previous_secret_sealed), keyId],
    );
  }

  /** Endpoints whose secrets are sealed with a key not among `known`: they cannot sign. */
  async countUnreadable(m: EntityManager, known: readonly string[]): Promise<number> {
    const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE NOT (secret_key_id = ANY($1::text[]))`, [known])) as [{ n: number }];
    return n;
  }
}
