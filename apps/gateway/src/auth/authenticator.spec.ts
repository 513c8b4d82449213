/**
 * Authentication of every presented credential (SPEC §10): a stand-in for the
 * key verifier (its own lookups are tested with Redis) and real JWTs. Every
 * decision is checked as the AuthGuard takes it — `authenticateFromMemory`,
 * then `authenticate` when it needs a lookup — with the keys known in memory
 * and with none known there.
 */
import type { VerifiedApiKey } from '@sigil/contracts';
import { generateApiKey, parseApiKey, signAccessToken, Unauthenticated, type DomainError } from '@sigil/platform';
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
const INVALID = () => new Unauthenticated('invalid_api_key', 'Invalid API key provided.');
/** Where the stand-in verifier finds the known keys: in memory (no lookup), or only by a lookup. */
let memory: 'all' | 'none' = 'all';
let lookups = 0;
const verifier = {
  verify: async (secret: string) => {
    lookups++;
    const k = known.get(secret);
    if (!k) throw INVALID();
    return k;
  },
  // As ApiKeyVerifier: a malformed key is refused before any cache; a well-formed one not in memory needs a lookup.
  verifyFromMemory: (secret: string) => {
    if (!parseApiKey(secret)) throw INVALID();
    return memory === 'all' ? known.get(secret) : undefined;
  },
} as unknown as ApiKeyVerifier;
const auth = new Authenticator(verifier, { JWT_SECRET: SECRET });
const jwtFor = (tid: string) => signAccessToken({ sub: 'usr_1', tid, role: 'owner', email: 'o@example.com', plan: 'pro', tname: 'T', typ: 'access' }, SECRET, 900);

/** As the AuthGuard authenticates: from memory, else with the lookup. */
async function authenticate(headers: Record<string, string>, requestId = 'req_1') {
  const presented = presentedCredentials(headers);
  return auth.authenticateFromMemory(presented) ?? (await auth.authenticate(presented, requestId));
}

async function codeOf(headers: Record<string, string>): Promise<string> {
  try {
    await authenticate(headers);
    return 'accepted';
  } catch (err) {
    return (err as DomainError).code;
  }
}

describe('Authenticator, without a lookup', () => {
  beforeEach(() => {
    memory = 'all';
    lookups = 0;
  });

  it('decides for keys in memory and for session JWTs without any lookup', () => {
    expect(auth.authenticateFromMemory(presentedCredentials({ authorization: `Bearer ${keyA}` }))).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' } });
    expect(auth.authenticateFromMemory(presentedCredentials({ 'x-api-key': keyA, authorization: `Bearer ${jwtFor('ten_a')}` }))).toMatchObject({
      kind: 'api_key',
      key: { key_id: 'key_a' },
      user: { tid: 'ten_a' },
    });
    expect(() => auth.authenticateFromMemory(presentedCredentials({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': keyB }))).toThrow(
      expect.objectContaining({ code: 'invalid_api_key' }),
    );
    expect(() => auth.authenticateFromMemory(presentedCredentials({ authorization: 'Bearer forged.jwt.token' }))).toThrow(
      expect.objectContaining({ code: 'invalid_token' }),
    );
    expect(lookups).toBe(0);
  });

  it('leaves to the lookup a key not in memory, and two different keys (both must be checked)', () => {
    expect(auth.authenticateFromMemory(presentedCredentials({ authorization: `Bearer ${unknown}` }))).toBeUndefined();
    expect(auth.authenticateFromMemory(presentedCredentials({ authorization: `Bearer ${keyA}`, 'x-api-key': keyA2 }))).toBeUndefined();
    memory = 'none';
    expect(auth.authenticateFromMemory(presentedCredentials({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': keyA }))).toBeUndefined();
    // A session alone needs no key: decided here whatever the cache holds.
    expect(auth.authenticateFromMemory(presentedCredentials({ authorization: `Bearer ${jwtFor('ten_a')}` }))).toMatchObject({ kind: 'user' });
  });
});

describe.each(['all', 'none'] as const)('Authenticator, keys in memory: %s', (inMemory) => {
  beforeEach(() => {
    memory = inMemory;
  });

  it('accepts one valid credential in either header', async () => {
    expect(await authenticate({ authorization: `Bearer ${keyA}` })).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' } });
    expect(await authenticate({ 'x-api-key': ` ${keyA} ` })).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' } });
    expect(await authenticate({ authorization: `Bearer ${jwtFor('ten_a')}` })).toMatchObject({ kind: 'user', claims: { tid: 'ten_a' } });
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
    const caller = await authenticate({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': keyA });
    expect(caller).toMatchObject({ kind: 'api_key', key: { key_id: 'key_a' }, user: { sub: 'usr_1', tid: 'ten_a' } });
  });

  it('refuses a session JWT with an API key of another tenant', async () => {
    expect(await codeOf({ authorization: `Bearer ${jwtFor('ten_a')}`, 'x-api-key': keyB })).toBe('invalid_api_key');
  });
});
