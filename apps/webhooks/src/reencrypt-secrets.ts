/**
 * `node dist/apps/webhooks/src/reencrypt-secrets.js`: after a KEK rotation
 * (a new key first in WEBHOOK_SECRET_KEK, the old one still listed),
 * re-seals every signing secret still sealed with an older key, prints what
 * it did as one JSON line, and exits 1 while any secret is sealed with a key
 * the list lacks. Replicas do the same in the background when they start; this
 * is the command to run (or to re-run, as a check) before removing the old key.
 */
import 'reflect-metadata';
import { createDataSource, loadConfig, runMain } from '@sigil/platform';
import { KekJobConfigSchema } from './config';
import { reencryptSecrets } from './secrets/endpoint-secrets';
import { EndpointSecretsRepository } from './secrets/endpoint-secrets.repository';
import { SecretKeyring } from './secrets/secret-keyring';

runMain('webhooks-reencrypt-secrets', async () => {
  const config = loadConfig(KekJobConfigSchema);
  const keyring = SecretKeyring.fromConfig(config.WEBHOOK_SECRET_KEK);
  const dataSource = await createDataSource({ service: 'webhooks-reencrypt', url: config.DATABASE_URL, poolSize: 2, entities: [], migrations: [] }).initialize();
  try {
    const result = await reencryptSecrets(dataSource, new EndpointSecretsRepository(), keyring);
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'signing secrets re-encrypted', key_id: keyring.currentId, ...result })}\n`,
    );
    if (result.unreadable) throw new Error(`${result.unreadable} endpoints have a secret sealed with a key WEBHOOK_SECRET_KEK does not list`);
  } finally {
    await dataSource.destroy();
  }
});
