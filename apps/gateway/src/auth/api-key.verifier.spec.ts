/**
 * The API key verifier's two entries: `verify` (memory, Redis, then the keys
 * service) and `verifyFromMemory` (the AuthGuard's synchronous path) refuse
 * the same keys — malformed, unknown, revoked, expired — and the synchronous
 * one never looks anything up. Stand-ins for the cache (tested with Redis in
 * credential-cache.int-spec) and the keys service.
 */
import type { VerifiedApiKey } from '@sigil/contracts';
import { generateApiKey, hashSecret, NotFound, type DomainError, type RpcClient } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import { ApiKeyVerifier, RefusedApiKey } from './api-key.verifier';
import type { CachedKey, CredentialCache } from './credential-cache';

const NOW = Date.parse('2026-12-02T12:00:00Z');

function setup(keys: Record<string, VerifiedApiKey>, where: 'memory' | 'redis' | 'keys service') {
  const byHash = new Map(Object.entries(keys).map(([secret, key]) => [hashSecret(secret), { key, fetched_at: NOW - 1000 } as CachedKey]));
  const calls: string[] = [];
  const cache = {
    getMemory: (hash: string) => (where === 'memory' ? byHash.get(hash) : undefined),
    getShared: async (hash: string) => {
      calls.push('redis');
      return where === 'redis' ? byHash.get(hash) : undefined;
    },
    put: async () => void calls.push('put'),
  } as unknown as CredentialCache;
  const rpc = {
    call: async (_def: unknown, _ctx: unknown, payload: { body: { secret_hash: string } }) => {
      calls.push('keys service');
      const found = where === 'keys service' ? byHash.get(payload.body.secret_hash) : undefined;
      if (!found) throw new NotFound('api_key', 'secret');
      return { data: found.key };
    },
  } as unknown as RpcClient;
  return { verifier: new ApiKeyVerifier(cache, rpc), calls };
}

const active = generateApiKey('live');
const revoked = generateApiKey('live');
const expired = generateApiKey('live');
const lapsed = generateApiKey('live');
const unknown = generateApiKey('live');
const keys = {
  [active]: verifiedApiKey({ key_id: 'key_active' }),
  [revoked]: verifiedApiKey({ key_id: 'key_revoked', state: 'revoked' }),
  [expired]: verifiedApiKey({ key_id: 'key_expired', state: 'expired' }),
  // Still 'active' in the cached answer, but its expiry has passed since.
  [lapsed]: verifiedApiKey({ key_id: 'key_lapsed', expires_at: new Date(NOW - 1).toISOString() }),
};

async function outcome(run: () => Promise<VerifiedApiKey | undefined> | VerifiedApiKey | undefined): Promise<string> {
  try {
    const key = await run();
    return key ? `ok ${key.key_id}` : 'lookup needed';
  } catch (err) {
    return `${(err as DomainError).code}${err instanceof RefusedApiKey ? ` (${err.key.key_id})` : ''}`;
  }
}

const expected = {
  [active]: 'ok key_active',
  [revoked]: 'revoked_api_key (key_revoked)',
  [expired]: 'expired_api_key (key_expired)',
  [lapsed]: 'expired_api_key (key_lapsed)',
};

describe('ApiKeyVerifier', () => {
  it.each(['memory', 'redis', 'keys service'] as const)('verify refuses revoked, expired and unknown keys found in %s', async (where) => {
    const { verifier } = setup(keys, where);
    for (const [secret, answer] of Object.entries(expected)) expect(await outcome(() => verifier.verify(secret, 'req_1', NOW))).toBe(answer);
    expect(await outcome(() => verifier.verify(unknown, 'req_1', NOW))).toBe('invalid_api_key');
  });

  it('verifyFromMemory makes the same decisions for keys in memory, without a lookup', async () => {
    const { verifier, calls } = setup(keys, 'memory');
    for (const [secret, answer] of Object.entries(expected)) expect(await outcome(() => verifier.verifyFromMemory(secret, NOW))).toBe(answer);
    expect(calls).toEqual([]);
  });

  it('verifyFromMemory refuses a malformed key at once and leaves a well-formed key not in memory to the lookup', async () => {
    const { verifier, calls } = setup(keys, 'redis');
    expect(await outcome(() => verifier.verifyFromMemory('sg_live_not-a-key', NOW))).toBe('invalid_api_key');
    expect(await outcome(() => verifier.verifyFromMemory(active.slice(0, -1) + (active.endsWith('a') ? 'b' : 'a'), NOW))).toBe('invalid_api_key');
    expect(await outcome(() => verifier.verifyFromMemory(active, NOW))).toBe('lookup needed');
    expect(await outcome(() => verifier.verifyFromMemory(unknown, NOW))).toBe('lookup needed');
    expect(calls).toEqual([]);
  });
});
