/** API keys: one function per operation, through `@sigil/sdk`. */
import { api, call, onePage, type Envelope } from './http';
import type { ApiKey, ApiKeyWithSecret, Mode, Scope } from './types';

export function listApiKeys(): Promise<Envelope<ApiKey[]>> {
  return onePage<ApiKey>(() => api.apiKeys.list({ limit: 100 }));
}

export interface CreateApiKeyInput {
  name: string;
  environment: Mode;
  scopes: Scope[];
  expires_at?: string;
  rate_limit_per_minute?: number;
}

export function createApiKey(input: CreateApiKeyInput): Promise<ApiKeyWithSecret> {
  return call<ApiKeyWithSecret>(() => api.apiKeys.create(input));
}

export function rotateApiKey(id: string, gracePeriodSeconds: number): Promise<ApiKeyWithSecret> {
  return call<ApiKeyWithSecret>(() => api.apiKeys.rotate(id, { grace_period_seconds: gracePeriodSeconds }));
}

export function revokeApiKey(id: string): Promise<void> {
  return call<void>(() => api.apiKeys.revoke(id));
}
