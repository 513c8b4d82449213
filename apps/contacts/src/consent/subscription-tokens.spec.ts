import { oneClickToken, signToken, verifyToken } from './subscription-tokens';

const secret = 'a-test-secret-of-at-least-thirty-two-chars';
const now = new Date('2026-01-01T00:00:00Z');
const claims = { p: 'confirm' as const, t: 'ten_1', m: 'live' as const, c: 'con_1', e: now.getTime() / 1000 + 60 };

describe('subscription tokens', () => {
  it('verifies its own tokens and returns the claims', () => {
    expect(verifyToken(secret, signToken(secret, claims), 'confirm', now)).toMatchObject({ t: 'ten_1', m: 'live', c: 'con_1', p: 'confirm' });
  });

  it('gives every token its own id', () => {
    const a = verifyToken(secret, signToken(secret, claims), 'confirm', now);
    const b = verifyToken(secret, signToken(secret, claims), 'confirm', now);
    expect(a.j).not.toBe(b.j);
  });

  it.each([
    ['another secret', () => signToken('another-secret-of-at-least-thirty-two-chars', claims)],
    [
      'a tampered tenant',
      () => {
        const [, sig] = signToken(secret, claims).split('.');
        return `${Buffer.from(JSON.stringify({ ...claims, t: 'ten_2', j: 'tok_x' })).toString('base64url')}.${sig}`;
      },
    ],
    ['another purpose', () => signToken(secret, { ...claims, p: 'unsubscribe' })],
    ['garbage', () => 'not-a-token'],
    ['three parts', () => `${signToken(secret, claims)}.x`],
  ])('refuses %s as invalid_token', (_, make) => {
    expect(() => verifyToken(secret, make(), 'confirm', now)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_token' }));
  });

  it('refuses an expired token as token_expired', () => {
    const token = signToken(secret, { ...claims, e: now.getTime() / 1000 - 1 });
    expect(() => verifyToken(secret, token, 'confirm', now)).toThrow(expect.objectContaining({ status: 400, code: 'token_expired' }));
  });
});

describe('oneClickToken (RFC 8058: the token in the URL or the body)', () => {
  it('takes it from either place, or both when they agree; refuses none or two different ones naming token', () => {
    expect(oneClickToken('a.b', undefined)).toBe('a.b');
    expect(oneClickToken(undefined, 'a.b')).toBe('a.b');
    expect(oneClickToken('a.b', 'a.b')).toBe('a.b');
    expect(() => oneClickToken(undefined, undefined)).toThrow(
      expect.objectContaining({ status: 400, details: [expect.objectContaining({ field: 'token', code: 'required' })] }),
    );
    expect(() => oneClickToken('a.b', 'c.d')).toThrow(expect.objectContaining({ status: 400, details: [expect.objectContaining({ field: 'token', code: 'invalid' })] }));
  });
});
