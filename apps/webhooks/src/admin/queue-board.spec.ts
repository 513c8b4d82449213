import { presentedToken } from './queue-board';

describe('queue board credential', () => {
  it('reads a Bearer token or the password of Basic auth', () => {
    expect(presentedToken('Bearer abc123')).toBe('abc123');
    expect(presentedToken('bearer abc123')).toBe('abc123');
    expect(presentedToken(`Basic ${Buffer.from('admin:s3cr:et').toString('base64')}`)).toBe('s3cr:et');
  });

  it('finds nothing in absent or malformed headers', () => {
    expect(presentedToken(undefined)).toBeUndefined();
    expect(presentedToken('Bearer')).toBeUndefined();
    expect(presentedToken('Token abc')).toBeUndefined();
    expect(presentedToken(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
  });
});
