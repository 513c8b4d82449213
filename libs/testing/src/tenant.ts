/**
 * A fresh tenant for an e2e test, and ApiClients acting for it. Tests call
 * only this, so they state what matters (scopes, mode) and nothing else.
 */
import { randomBytes } from 'node:crypto';
import type { Mode, PlanName, Scope } from '@sigil/contracts';
import { ApiClient } from './http-client';

export interface TestTenant {
  tenantId: string;
  email: string;
  password: string;
  /** Owner session (JWT) client: all scopes, live mode. */
  session: ApiClient;
  accessToken: string;
  refreshToken: string;
  /** Client authenticated with a live API key of all scopes. */
  api: ApiClient;
  apiKey: string;
  /** A client with a new API key of the given scopes and mode. */
  client(options: { scopes?: Scope[]; mode?: Mode; name?: string }): Promise<ApiClient>;
  /** Creates a key and returns its id and secret. */
  createKey(options: { scopes?: Scope[]; mode?: Mode; name?: string; rate_limit_per_minute?: number; expires_at?: string }): Promise<{ id: string; key: string }>;
}

export function testPassword(): string {
  return `Pw-${randomBytes(12).toString('base64url')}`;
}

export async function createTenant(gatewayUrl: string, options: { plan?: PlanName } = {}): Promise<TestTenant> {
  const anonymous = new ApiClient(gatewayUrl);
  const email = `owner.${randomBytes(6).toString('hex')}@example.com`;
  const password = testPassword();
  const signup = await anonymous.post('/v1/auth/signup', {
    email,
    password,
    organization_name: `Test org ${email}`,
    plan: options.plan ?? 'agency',
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const { access_token: accessToken, refresh_token: refreshToken, tenant } = signup.body.data;
  const session = new ApiClient(gatewayUrl, { authorization: `Bearer ${accessToken}` });
  const createKey: TestTenant['createKey'] = async ({ scopes = ['*'], mode = 'live', name = 'test key', ...rest }) => {
    const res = await session.post('/v1/api-keys', { name, environment: mode, scopes, ...rest });
    if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.data.id, key: res.body.data.key };
  };
  const { key: apiKey } = await createKey({ name: 'all scopes' });
  return {
    tenantId: tenant.id,
    email,
    password,
    session,
    accessToken,
    refreshToken,
    api: new ApiClient(gatewayUrl, { authorization: `Bearer ${apiKey}` }),
    apiKey,
    createKey,
    client: async (o) => new ApiClient(gatewayUrl, { authorization: `Bearer ${(await createKey(o)).key}` }),
  };
}
