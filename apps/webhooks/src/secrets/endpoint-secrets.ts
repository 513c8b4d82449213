/**
 * The endpoints' signing secrets as stored: sealed with the keyring
 * (secret-keyring.ts), the KEK id per row. Opens them to sign, seals new
 * ones, and re-encrypts every secret still sealed with an older KEK after a
 * key rotation — in the background at start on every replica (batches,
 * SKIP LOCKED, so replicas share the work), or on demand with
 * `node dist/apps/webhooks/src/reencrypt-secrets.js`. The statements are in
 * endpoint-secrets.repository.ts.
 */
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EndpointSecretsRepository, type SealedSecrets, type StoredSecrets } from './endpoint-secrets.repository';
import { isDevelopmentKek, SecretKeyring } from './secret-keyring';

/** Opened secrets kept in memory at most (about two per endpoint being delivered to). */
const MAX_OPENED = 10_000;

export interface ReencryptionResult {
  reencrypted: number;
  /** Endpoints whose KEK is not configured: they cannot sign until it is listed again. */
  unreadable: number;
}

/** Re-seals, `batch` endpoints per transaction, every secret whose KEK is not the current one (and is configured). */
export async function reencryptSecrets(dataSource: DataSource, repository: EndpointSecretsRepository, keyring: SecretKeyring, batch = 100): Promise<ReencryptionResult> {
  const known = keyring.keks.map((k) => k.id);
  let reencrypted = 0;
  for (;;) {
    const done = await dataSource.transaction(async (m) => {
      const rows = await repository.lockSealedWithOlderKeys(m, keyring.currentId, known, batch);
      if (!rows.length) return 0;
      const reseal = (r: StoredSecrets, sealed: string) => keyring.seal(r.id, keyring.open(r.id, r.secret_key_id, sealed));
      await repository.reseal(
        m,
        rows.map((r) => ({
          id: r.id,
          secret_sealed: reseal(r, r.secret_sealed),
          previous_secret_sealed: r.previous_secret_sealed ? reseal(r, r.previous_secret_sealed) : null,
        })),
        keyring.currentId,
      );
      return rows.length;
    });
    reencrypted += done;
    if (done < batch) break;
  }
  return { reencrypted, unreadable: await repository.countUnreadable(dataSource.manager, known) };
}

@Injectable()
export class EndpointSecrets implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EndpointSecrets');
  private reencryption: Promise<void> | undefined;
  /**
   * Opened secrets by endpoint, KEK and sealed value: opening is two AES-GCM decryptions, on every attempt otherwise.
   * A rotation or re-encryption changes the sealed value, so an entry never outlives the secret it opened.
   */
  private readonly opened = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: EndpointSecretsRepository,
    private readonly keyring: SecretKeyring,
  ) {}

  /** A new secret sealed for this endpoint with the current KEK. */
  seal(endpointId: string, secret: string): { sealed: string; keyId: string } {
    return { sealed: this.keyring.seal(endpointId, secret), keyId: this.keyring.currentId };
  }

  current(endpointId: string, row: SealedSecrets): string {
    return this.open(endpointId, row.secret_key_id, row.secret_sealed);
  }

  /** The secrets that sign now, in clear: the current one, and the previous one during its grace period. */
  active(endpointId: string, row: SealedSecrets, now = new Date()): string[] {
    const secrets = [this.current(endpointId, row)];
    if (row.previous_secret_sealed && row.previous_secret_expires_at && row.previous_secret_expires_at > now) {
      secrets.push(this.open(endpointId, row.secret_key_id, row.previous_secret_sealed));
    }
    return secrets;
  }

  private open(endpointId: string, keyId: string, sealed: string): string {
    const key = `${endpointId} ${keyId} ${sealed}`;
    let secret = this.opened.get(key);
    if (secret === undefined) {
      secret = this.keyring.open(endpointId, keyId, sealed);
      if (this.opened.size >= MAX_OPENED) this.opened.clear();
      this.opened.set(key, secret);
    }
    return secret;
  }

  onApplicationBootstrap(): void {
    if (isDevelopmentKek(this.keyring.keks[0]!)) {
      this.logger.warn('WEBHOOK_SECRET_KEK is not set: signing secrets are sealed with the public development key (refused in production)');
    }
    // In the background: a start must not wait on it, and a replica stopped halfway leaves only committed batches.
    this.reencryption = reencryptSecrets(this.dataSource, this.repository, this.keyring)
      .then(({ reencrypted, unreadable }) => {
        if (reencrypted) this.logger.log(`re-encrypted ${reencrypted} signing secrets with key '${this.keyring.currentId}'`);
        if (unreadable) this.logger.error(`${unreadable} endpoints have a signing secret sealed with a key WEBHOOK_SECRET_KEK does not list: they cannot sign`);
      })
      .catch((err: unknown) => this.logger.error(`re-encryption of signing secrets failed: ${String(err)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.reencryption;
  }
}
