/** `/v1/api-keys`: one function per operation. */
import { request, requestEnvelope, type Envelope } from './http';
import type { ApiKey, ApiKeyWithSecret, Mode, Scope } from './types';

export function listApiKeys(page = 1): Promise<Envelope<ApiKey[]>> {
  return requestEnvelope<ApiKey[]>('GET', '/v1/api-keys', { query: { page, limit: 100 } });
}

export interface CreateApiKeyInput {
  name: string;
  environment: Mode;
  scopes: Scope[];
  expires_at?: string | null;
  rate_limit_per_minute?: number | null;
}

export function createApiKey(input: CreateApiKeyInput): Promise<ApiKeyWithSecret> {
  return request<ApiKeyWithSecret>('POST', '/v1/api-keys', { body: input });
}

export function rotateApiKey(id: string, gracePeriodSeconds: number): Promise<ApiKeyWithSecret> {
  return request<ApiKeyWithSecret>('POST', `/v1/api-keys/${encodeURIComponent(id)}/rotate`, { body: { grace_period_seconds: gracePeriodSeconds } });
}

export function revokeApiKey(id: string): Promise<void> {
  return request<void>('DELETE', `/v1/api-keys/${encodeURIComponent(id)}`);
}
