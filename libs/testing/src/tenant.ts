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

/** The operator token every TestStack gateway is started with (SIGIL_ADMIN_TOKEN), unless a test sets its own. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

/** A client of the operator API (`/v1/admin/*`). */
export function adminClient(gatewayUrl: string, token = TEST_ADMIN_TOKEN): ApiClient {
  return new ApiClient(gatewayUrl, { authorization: `Bearer ${token}` });
}

/**
 * Signs up a tenant (always on starter, SPEC §15) and, unless `plan` is
 * `starter`, moves it to that plan (default agency, so tests are not bound by
 * starter's two keys) through the operator API, then refreshes the session
 * so its token carries the plan.
 */
export async function createTenant(gatewayUrl: string, options: { plan?: PlanName } = {}): Promise<TestTenant> {
  const anonymous = new ApiClient(gatewayUrl);
  const email = `owner.${randomBytes(6).toString('hex')}@example.com`;
  const password = testPassword();
  const signup = await anonymous.post('/v1/auth/signup', { email, password, organization_name: `Test org ${email}` });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  let { access_token: accessToken, refresh_token: refreshToken } = signup.body.data;
  const { tenant } = signup.body.data;
  const plan = options.plan ?? 'agency';
  if (plan !== 'starter') {
    const set = await adminClient(gatewayUrl).patch(`/v1/admin/tenants/${tenant.id}`, { plan });
    if (set.status !== 200) throw new Error(`setting the plan failed: ${set.status} ${JSON.stringify(set.body)}`);
    const refreshed = await anonymous.post('/v1/auth/refresh', { refresh_token: refreshToken });
    if (refreshed.status !== 200) throw new Error(`refresh failed: ${refreshed.status} ${JSON.stringify(refreshed.body)}`);
    ({ access_token: accessToken, refresh_token: refreshToken } = refreshed.body.data);
  }
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
