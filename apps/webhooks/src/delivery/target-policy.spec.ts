import { isNonPublicAddress, TargetPolicy } from './target-policy';

describe('webhook target policy (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::10.0.0.1',
  ])('classifies %s as non-public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('classifies %s as public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });

  it('refuses http and private targets by default', () => {
    const policy = new TargetPolicy(false, []);
    expect(policy.refusalOf('https://example.com/hook')).toBeUndefined();
    expect(policy.refusalOf('http://example.com/hook')).toMatch(/https/);
    expect(policy.refusalOf('https://127.0.0.1/hook')).toMatch(/private/);
    expect(policy.refusalOf('https://[::1]/hook')).toMatch(/private/);
    expect(policy.refusalOf('https://169.254.169.254/latest/meta-data')).toMatch(/private/);
    expect(policy.refusalOfNewTarget('https://localhost/hook')).toMatch(/public host/);
    expect(policy.refusalOfNewTarget('https://localhost./hook')).toMatch(/public host/);
    expect(policy.refusalOfNewTarget('https://intranet/hook')).toMatch(/public host/);
    expect(policy.refusalOfNewTarget('https://hooks.example.com/hook')).toBeUndefined();
    // Names are resolved and checked on every connection (see `lookup`).
    expect(policy.refusalOf('https://localhost/hook')).toBeUndefined();
  });

  it('lets configured ranges and http through', () => {
    const policy = new TargetPolicy(true, ['127.0.0.0/8', '::1/128']);
    expect(policy.refusalOf('http://127.0.0.1:8080/hook')).toBeUndefined();
    expect(policy.refusalOf('http://[::1]:8080/hook')).toBeUndefined();
    expect(policy.refusalOfNewTarget('http://localhost:8080/hook')).toBeUndefined();
    expect(policy.refusalOf('http://10.0.0.1/hook')).toMatch(/private/);
    expect(policy.allowsAddress('::ffff:127.0.0.1')).toBe(true);
  });

  it('refuses at connection time a name that resolves to a private address', async () => {
    const policy = new TargetPolicy(false, []);
    const err = await new Promise<Error | null>((res) => policy.lookup('localhost', {}, (e) => res(e)));
    expect(err?.message).toMatch(/resolves to .* private/);
    const allowed = new TargetPolicy(false, ['127.0.0.0/8', '::1/128']);
    const ok = await new Promise<{ err: Error | null; address: unknown }>((res) => allowed.lookup('localhost', { all: true }, (e, address) => res({ err: e, address })));
    expect(ok.err).toBeNull();
    expect(Array.isArray(ok.address)).toBe(true);
  });
});
