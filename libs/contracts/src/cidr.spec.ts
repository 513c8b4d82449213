/** The allowed_cidrs matcher: IPv4, IPv6, IPv4-mapped IPv6, canonical forms, refusals naming the entry. */
import { ipAllowed, parseCidr, parseIp, type IpNetwork } from './cidr';

const nets = (...cidrs: string[]): IpNetwork[] =>
  cidrs.map((c) => {
    const n = parseCidr(c);
    if ('error' in n) throw new Error(n.error);
    return n;
  });

describe('parseCidr', () => {
  it('canonicalises IPv4 and IPv6 networks and bare addresses', () => {
    expect(parseCidr('203.0.113.0/24')).toMatchObject({ cidr: '203.0.113.0/24' });
    expect(parseCidr(' 198.51.100.7 ')).toMatchObject({ cidr: '198.51.100.7/32' });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ cidr: '0.0.0.0/0' });
    expect(parseCidr('2001:DB8::/32')).toMatchObject({ cidr: '2001:db8::/32' });
    expect(parseCidr('2001:db8:0:0:0:0:0:1')).toMatchObject({ cidr: '2001:db8::1/128' });
    expect(parseCidr('::1')).toMatchObject({ cidr: '::1/128' });
    expect(parseCidr('::/0')).toMatchObject({ cidr: '::/0' });
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ cidr: '10.0.0.0/8' });
    expect(parseCidr('2001:db8:0:1::/64')).toMatchObject({ cidr: '2001:db8:0:1::/64' });
  });

  it('refuses malformed entries, saying which and why', () => {
    for (const bad of [
      '',
      '10.0.0',
      '10.0.0.256',
      '10.0.0.01',
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/',
      'a.b.c.d',
      '2001:db8::/129',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'localhost',
      '10.0.0.0/8/8',
      '::ffff:10.0.0.0/8',
    ]) {
      const r = parseCidr(bad);
      expect({ bad, error: 'error' in r }).toEqual({ bad, error: true });
      if ('error' in r) expect(r.error).toContain(`'${bad}'`);
    }
    expect(parseCidr('10.0.0.1/8')).toEqual({ error: "'10.0.0.1/8' has host bits set; did you mean '10.0.0.0/8'?" });
    expect(parseCidr('2001:db8::1/32')).toEqual({ error: "'2001:db8::1/32' has host bits set; did you mean '2001:db8::/32'?" });
  });
});

describe('ipAllowed', () => {
  it('matches IPv4 inside and outside a network, and exact addresses', () => {
    const allowed = nets('203.0.113.0/24', '198.51.100.7');
    expect(ipAllowed('203.0.113.0', allowed)).toBe(true);
    expect(ipAllowed('203.0.113.255', allowed)).toBe(true);
    expect(ipAllowed('203.0.114.0', allowed)).toBe(false);
    expect(ipAllowed('198.51.100.7', allowed)).toBe(true);
    expect(ipAllowed('198.51.100.8', allowed)).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 client as its IPv4 address (both ways)', () => {
    expect(ipAllowed('::ffff:203.0.113.9', nets('203.0.113.0/24'))).toBe(true);
    expect(ipAllowed('::ffff:cb00:7109', nets('203.0.113.0/24'))).toBe(true);
    expect(ipAllowed('::ffff:203.0.114.9', nets('203.0.113.0/24'))).toBe(false);
    expect(ipAllowed('203.0.113.9', nets('::ffff:203.0.113.0/120'))).toBe(true);
  });

  it('matches IPv6 networks and never confuses v4 with unrelated v6', () => {
    const allowed = nets('2001:db8::/32');
    expect(ipAllowed('2001:db8:ffff::1', allowed)).toBe(true);
    expect(ipAllowed('2001:db9::1', allowed)).toBe(false);
    expect(ipAllowed('10.0.0.1', allowed)).toBe(false);
    expect(ipAllowed('::a00:1', nets('10.0.0.0/8'))).toBe(false); // IPv4-compatible (deprecated) is not mapped
    expect(ipAllowed('::1', nets('::1'))).toBe(true);
    expect(ipAllowed('1.2.3.4', nets('0.0.0.0/0'))).toBe(true);
    expect(ipAllowed('2001:db8::1', nets('0.0.0.0/0'))).toBe(false);
  });

  it('refuses what is not an address, and an empty list', () => {
    expect(ipAllowed('not-an-ip', nets('0.0.0.0/0'))).toBe(false);
    expect(ipAllowed('1.2.3.4', [])).toBe(false);
    expect(parseIp('1.2.3.4')).toBe(0xffff01020304n);
  });
});
