import { createHmac } from 'node:crypto';
import type { AccessTokenClaims } from '@sigil/contracts';
import { signAccessToken, verifyAccessToken } from './access-token';

const SECRET = 'x'.repeat(48);
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const claims: AccessTokenClaims = {
  sub: 'usr_1',
  tid: 'ten_1',
  role: 'owner',
  email: 'ada@example.com',
  plan: 'pro',
  tname: 'Analytical Engines',
  typ: 'access',
};

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function forge(header: unknown, payload: unknown, secret = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('access tokens', () => {
  it('carries the session mode', () => {
    expect(verifyAccessToken(signAccessToken({ ...claims, mode: 'test' }, SECRET, 900, NOW), SECRET, NOW)?.mode).toBe('test');
    expect(verifyAccessToken(signAccessToken({ ...claims, mode: 'live' }, SECRET, 900, NOW), SECRET, NOW)?.mode).toBe('live');
  });

  it('rejects a signed token whose mode is neither live nor test', () => {
    const iat = NOW / 1000;
    const token = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, mode: 'staging', iss: 'sigil-keys', iat, exp: iat + 900 });
    expect(verifyAccessToken(token, SECRET, NOW)).toBeUndefined();
  });

  it('verifies a token it signed, with iat, exp and iss', () => {
    const token = signAccessToken(claims, SECRET, 900, NOW);
    expect(token.split('.')).toHaveLength(3);
    // A token without a mode claim (issued before sessions had modes) acts in live mode.
    expect(verifyAccessToken(token, SECRET, NOW + 1000)).toEqual({ ...claims, mode: 'live', iss: 'sigil-keys', iat: NOW / 1000, exp: NOW / 1000 + 900 });
  });

  it('rejects an expired token', () => {
    const token = signAccessToken(claims, SECRET, 900, NOW);
    expect(verifyAccessToken(token, SECRET, NOW + 899_000)).toBeDefined();
    expect(verifyAccessToken(token, SECRET, NOW + 900_000)).toBeUndefined();
  });

  it('rejects a token issued in the future beyond the clock skew', () => {
    const token = signAccessToken(claims, SECRET, 900, NOW + 120_000);
    expect(verifyAccessToken(token, SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(signAccessToken(claims, SECRET, 900, NOW + 10_000), SECRET, NOW)).toBeDefined();
  });

  it('rejects another secret, a changed payload and a changed signature', () => {
    const token = signAccessToken(claims, SECRET, 900, NOW);
    expect(verifyAccessToken(token, 'y'.repeat(48), NOW)).toBeUndefined();
    const [h, , s] = token.split('.');
    expect(
      verifyAccessToken(`${h}.${b64({ ...claims, tid: 'ten_other', iss: 'sigil-keys', iat: NOW / 1000, exp: NOW / 1000 + 900 })}.${s}`, SECRET, NOW),
    ).toBeUndefined();
    expect(verifyAccessToken(`${token.slice(0, -2)}AA`, SECRET, NOW)).toBeUndefined();
  });

  it('accepts only HS256: alg none and other headers are refused even when signed', () => {
    const payload = { ...claims, iss: 'sigil-keys', iat: NOW / 1000, exp: NOW / 1000 + 900 };
    expect(verifyAccessToken(forge({ alg: 'HS256', typ: 'JWT' }, payload), SECRET, NOW)).toBeDefined();
    expect(verifyAccessToken(forge({ alg: 'none', typ: 'JWT' }, payload), SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`, SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(forge({ alg: 'HS512', typ: 'JWT' }, payload), SECRET, NOW)).toBeUndefined();
  });

  it('rejects a token of another issuer or type, or without subject and tenant', () => {
    const base = { ...claims, iss: 'sigil-keys', iat: NOW / 1000, exp: NOW / 1000 + 900 };
    const header = { alg: 'HS256', typ: 'JWT' };
    expect(verifyAccessToken(forge(header, { ...base, iss: 'someone-else' }), SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(forge(header, { ...base, typ: 'refresh' }), SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(forge(header, { ...base, sub: undefined }), SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(forge(header, { ...base, tid: 42 }), SECRET, NOW)).toBeUndefined();
    expect(verifyAccessToken(forge(header, { ...base, exp: 'never' }), SECRET, NOW)).toBeUndefined();
  });

  it('rejects garbage without throwing', () => {
    for (const token of ['', 'a.b', 'a.b.c.d', 'not a token', `${b64({ alg: 'HS256', typ: 'JWT' })}.!!!.sig`]) {
      expect(verifyAccessToken(token, SECRET, NOW)).toBeUndefined();
    }
  });
});
