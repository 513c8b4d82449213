/**
 * What the webhooks repository specs start from: the service's database,
 * fresh and migrated (`TestDatabase`), and an endpoint of a scope to hang
 * deliveries, recoveries and claims on.
 */
import type { CreateWebhookRequest } from '@sigil/contracts';
import { newId, type TenantScope } from '@sigil/platform';
import { TestDatabase } from '@sigil/testing';
import type { EndpointRow } from '../endpoints/endpoint.row';
import { EndpointsRepository } from '../endpoints/endpoints.repository';
import { webhooksMigrations } from '../migrations';
import { SecretKeyring } from '../secrets/secret-keyring';

export function webhooksTestDatabase(): Promise<TestDatabase> {
  return TestDatabase.create('webhooks', webhooksMigrations(SecretKeyring.fromConfig(undefined)));
}

/** An endpoint of the scope for `https://example.com/hook`, subscribed to `contact.created` unless `request` says otherwise; its sealed secret is never opened. */
export function insertEndpoint(db: TestDatabase, s: TenantScope, request: Partial<CreateWebhookRequest> = {}): Promise<EndpointRow> {
  return new EndpointsRepository().insert(db.dataSource.manager, s, {
    id: newId('whe'),
    request: { url: 'https://example.com/hook', events: ['contact.created'], ...request },
    sealed: 'sealed',
    keyId: 'k1',
  });
}
