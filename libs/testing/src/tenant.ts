/**
 * A fresh tenant for an e2e test, and an ApiClient acting for it. Tests call
 * only this, so they keep working as authentication evolves.
 *
 * Walking-skeleton stage: the gateway takes the tenant, mode and scopes from
 * `X-Sigil-Dev-*` headers.
 */
import { randomBytes } from 'node:crypto';
import type { Mode, Scope } from '@sigil/contracts';
import { ApiClient } from './http-client';

export interface TestTenant {
  tenantId: string;
  /** Client authenticated with a key of all scopes, live mode. */
  api: ApiClient;
  /** A client of the same tenant with other scopes and/or mode. */
  client(options: { scopes?: Scope[]; mode?: Mode }): Promise<ApiClient>;
}

export async function createTenant(gatewayUrl: string): Promise<TestTenant> {
  const tenantId = `ten_${randomBytes(6).toString('hex')}`;
  const make = async ({ scopes = ['*'], mode = 'live' }: { scopes?: Scope[]; mode?: Mode }) =>
    new ApiClient(gatewayUrl, {
      'x-sigil-dev-tenant': tenantId,
      'x-sigil-dev-mode': mode,
      'x-sigil-dev-scopes': scopes.join(','),
    });
  return { tenantId, api: await make({}), client: make };
}
