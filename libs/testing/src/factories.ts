/** Valid request bodies with fresh values; a test overrides only what matters to it. */
import { randomBytes } from 'node:crypto';
import type { CreateContactRequest, CreateCustomFieldRequest, RequestContext, VerifiedApiKey } from '@sigil/contracts';

let counter = 0;
export function uniqueEmail(domain = 'example.com'): string {
  return `user${++counter}.${randomBytes(4).toString('hex')}@${domain}`;
}

export function contactInput(overrides: Partial<CreateContactRequest> = {}): CreateContactRequest {
  return { email: uniqueEmail(), first_name: 'Ada', last_name: 'Lovelace', ...overrides };
}

/** A custom field definition with a fresh key (text unless the test says otherwise). */
export function customFieldInput(overrides: Partial<CreateCustomFieldRequest> = {}): CreateCustomFieldRequest {
  return { key: `field_${randomBytes(4).toString('hex')}`, label: 'Field', type: 'text', ...overrides } as CreateCustomFieldRequest;
}

/** A request context for service-level tests: a fresh tenant in live mode. */
export function testContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    tenant_id: `ten_${randomBytes(6).toString('hex')}`,
    mode: 'live',
    request_id: `req_${randomBytes(6).toString('hex')}`,
    principal: { kind: 'api_key', id: 'key_test', scopes: ['*'] },
    ...overrides,
  };
}

/** A verified API key as the gateway caches it: active, live, all scopes, on a pro tenant. */
export function verifiedApiKey(overrides: Partial<VerifiedApiKey> = {}): VerifiedApiKey {
  return {
    key_id: 'key_1',
    tenant: { id: 'ten_1', name: 'T', plan: 'pro' },
    environment: 'live',
    prefix: 'sg_live_xxxx',
    scopes: ['*'],
    rate_limit_per_minute: null,
    expires_at: null,
    state: 'active',
    ...overrides,
  };
}
