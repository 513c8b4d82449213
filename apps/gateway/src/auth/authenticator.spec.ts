/**
 * Authentication of every presented credential (SPEC §10): a stand-in for the
 * key verifier (its own lookups are tested with Redis) and real JWTs.
 */
import type { VerifiedApiKey } from '@sigil/contracts';
import { generateApiKey, signAccessToken, Unauthenticated, type DomainError } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import type { ApiKeyVerifier } from './api-key.verifier';
import { Authenticator } from './authenticator';
import { presentedCredentials } from './credentials';

const SECRET = 'test-secret-of-at-least-32-characters!!';
const tenantA = { id: 'ten_a', name: 'A', plan: 'pro' as const };
const tenantB = { id: 'ten_b', name: 'B', plan: 'pro' as const };

const key = (id: string, tenant: VerifiedApiKey['tenant']) => verifiedApiKey({ key_id: id, tenant, scopes: ['contacts:read'] });

const keyA = generateApiKey('live');
const keyA2 = generateApiKey('live');
const keyB = generateApiKey('live');
const unknown = generateApiKey('live');
const known = new Map([
  [keyA, key('key_a', tenantA)],
  [keyA2, key('key_a2', tenantA)],
  [keyB, key('key_b', tenantB)],
]);
const verifier = {
  verify: async (secret: string) => {
    const k = known.get(secret);
    if (!k) throw new Unauthenticated('invalid_api_key', 'Invalid API key provided.');
    return k;
  },
} as unknown as ApiKeyVerifier;
const auth = new Authenticator(verifier, { JWT_SECRET: SECRET });
const jwtFor = (tid: string) => signAccessToken({ sub: 'usr_1', tid, role: 'owner', email: 'o@example.com', plan: 'pro', tname: 'T', typ: 'access' }, SECRET, 900);

async function codeOf(headers: Record<string, string>): Promise<string> {
  try {
    await auth.authenticate(presentedCredentials(headers), 'req_1');
    return 'accepted';
  } catch (err) {
    return (err as DomainError).code;
  }
}

describe('Authenticator', () => {
  it('accepts one valid credential in either header', async () => {
    expect(await auth.authenticate(presentedCredentials({ authorization: `Bearer ${keyA}` }), 'r')).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' } });
    expect(await auth.authenticate(presentedCredentials({ 'x-api-key': ` ${keyA} ` }), 'r')).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' } });
    expect(await auth.authenticate(presentedCredentials({ authorization: `Bearer ${jwtFor('ten_a')}` }), 'r')).toMatchObject({ kind: 'user', claims: { tid: 'ten_a' } });
  });

  it('refuses when nothing is presented, or Authorization is not Bearer', async () => {
    expect(await codeOf({})).toBe('missing_api_key');
    expect(await codeOf({ 'x-api-key': '  ' })).toBe('missing_api_key');
    expect(await codeOf({ authorization: `Basic ${keyA}` })).toBe('invalid_api_key');
  });

  it('refuses when any presented credential is invalid', async () => {
    expect(await codeOf({ authorization: `Bearer ${keyA}`, 'x-api-key': unknown })).toBe('invalid_api_key');
    expect(await codeOf({ authorization: `Bearer ${unknown}`, 'x-api-key': keyA })).toBe('invalid_api_key');
    expect(await codeOf({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': unknown })).toBe('invalid_api_key');
    expect(await codeOf({ authorization: 'Bearer forged.jwt.token', 'x-api-key': keyA })).toBe('invalid_token');
    expect(await codeOf({ authorization: `Bearer ${keyA}`, 'x-api-key': 'garbage' })).toBe('invalid_api_key');
    // An empty X-API-Key beside a valid Authorization is presented, so invalid (what a fuzzer's generated credential looks like).
    expect(await codeOf({ authorization: `Bearer ${keyA}`, 'x-api-key': '' })).toBe('invalid_api_key');
    expect(await codeOf({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': ' ' })).toBe('invalid_api_key');
    // The same key twice is one credential; two different keys are refused, never chosen between.
    expect(await codeOf({ authorization: `Bearer ${keyA}`, 'x-api-key': keyA })).toBe('accepted');
    expect(await codeOf({ authorization: `Bearer ${keyA}`, 'x-api-key': keyA2 })).toBe('invalid_api_key');
  });

  it('accepts a session JWT with an API key of its tenant, acting as the key and knowing the user', async () => {
    const caller = await auth.authenticate(presentedCredentials({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': keyA }), 'r');
    expect(caller).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' }, user: { sub: 'usr_1', tid: 'ten_a' } });
  });

  it('refuses a session JWT with an API key of another tenant', async () => {
    expect(await codeOf({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': keyB })).toBe('invalid_api_key');
  });
});
