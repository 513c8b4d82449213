import { generateApiKey, hashSecret, looksLikeApiKey, parseApiKey, randomToken, safeEqual } from './api-key-format';

describe('API key format', () => {
  it('generates sg_{mode}_ + 32 base62 + 6-character checksum', () => {
    const live = generateApiKey('live');
    const test = generateApiKey('test');
    expect(live).toMatch(/^sg_live_[0-9A-Za-z]{38}$/);
    expect(test).toMatch(/^sg_test_[0-9A-Za-z]{38}$/);
    expect(generateApiKey('live')).not.toBe(live);
  });

  it('parses a generated key: environment, prefix for listings and last 4', () => {
    const key = generateApiKey('test');
    expect(parseApiKey(key)).toEqual({ environment: 'test', prefix: key.slice(0, 12), last4: key.slice(-4) });
    expect(parseApiKey(key)!.prefix).toMatch(/^sg_test_.{4}$/);
  });

  it('rejects a key with any single character changed, without a lookup', () => {
    const key = generateApiKey('live');
    for (let i = 'sg_live_'.length; i < key.length; i++) {
      const c = key[i] === 'a' ? 'b' : 'a';
      expect(parseApiKey(key.slice(0, i) + c + key.slice(i + 1))).toBeUndefined();
    }
  });

  it('rejects malformed keys', () => {
    const key = generateApiKey('live');
    for (const bad of ['', 'sg_live_', key.slice(0, -1), `${key}x`, key.replace('sg_live_', 'sg_prod_'), key.replace('sg_', 'sk_'), `${key.slice(0, -6)}!!!!!!`]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
    expect(parseApiKey(key.replace('sg_live_', 'sg_test_'))).toBeUndefined();
  });

  it('spreads characters over the whole base62 alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of generateApiKey('live').slice(8, 40)) seen.add(c);
    expect(seen.size).toBe(62);
  });

  it('recognises the sg_ prefix only', () => {
    expect(looksLikeApiKey(generateApiKey('live'))).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOiJIUzI1NiJ9.x.y')).toBe(false);
  });
});

describe('secrets', () => {
  it('hashes deterministically to hex SHA-256 and never returns the secret', () => {
    const key = generateApiKey('live');
    expect(hashSecret(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(key)).toBe(hashSecret(key));
    expect(hashSecret(key)).not.toContain(key.slice(8, 20));
    expect(hashSecret(generateApiKey('live'))).not.toBe(hashSecret(key));
    // The stored hashes are SHA-256 of the UTF-8 secret (FIPS 180-2 test vector): keys stored before keep matching.
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares equal strings only, including of different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('makes opaque 256-bit tokens with a prefix', () => {
    const token = randomToken('rt');
    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(randomToken('rt')).not.toBe(token);
  });
});
