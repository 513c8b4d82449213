/**
 * Which URLs and addresses webhooks may reach (SSRF protection): https only,
 * and never a private, loopback, link-local, unique-local, multicast or
 * otherwise reserved address, unless configuration allows it (local
 * development and tests). Checked when an endpoint is saved and again on
 * every connection, on the addresses DNS returns at that moment, so a name
 * rebinding to an internal address is refused too.
 *
 * Names are resolved with c-ares (`dns.Resolver`: A and AAAA at once, a
 * timeout per try), not the system's `getaddrinfo` that `dns.lookup` runs on
 * libuv's four-thread pool: there, an answer the resolver drops holds a thread
 * for 5 s, so a handful of endpoints with unanswered names (the long fuzz
 * run's) held every delivery's lookup behind them — attempts of 10 s against
 * a 1-s endpoint timeout, ~8 attempts a second for the whole service. RFC 6761
 * `localhost` names are loopback without a query; `/etc/hosts` and the search
 * domains of `resolv.conf` are not used (a webhook target is a public name).
 */
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Ranges that are not the public internet (IANA special-purpose registries). */
const NON_PUBLIC_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const NON_PUBLIC_V6 = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const;

const nonPublic = new BlockList();
for (const [net, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address embedded in an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::/96`) IPv6 address. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for any address outside the public internet. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return nonPublic.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4) return nonPublic.check(v4, 'ipv4');
    return nonPublic.check(address, 'ipv6');
  }
  return true; // not an address at all: refuse
}

export class TargetRefused extends Error {
  readonly code = 'ETARGETREFUSED';
}

/** How target names are resolved: the resolvers (default: the system's), the wait per try and the tries. */
export interface TargetDnsSettings {
  servers?: readonly string[];
  timeoutMs?: number;
  tries?: number;
}

/** What `localhost` names are (RFC 6761), as the system's /etc/hosts usually says. */
const LOOPBACK: LookupAddress[] = [{ address: '127.0.0.1', family: 4 }];

/** URLs whose `refusalOf` answer is kept (a service has a few thousand targets at most; the cache restarts when full). */
const MAX_CACHED_REFUSALS = 10_000;

export class TargetPolicy {
  private readonly allowed = new BlockList();
  private readonly resolver: dns.Resolver;
  /**
   * `refusalOf` per URL: the answer depends on the URL and this policy's fixed settings only, and parsing the URL and
   * classifying its address on every attempt was ~3 % of the webhooks process's CPU in the sustained bench.
   */
  private readonly refusals = new Map<string, string | undefined>();

  constructor(
    readonly allowHttp: boolean,
    allowedCidrs: readonly string[],
    resolving: TargetDnsSettings = {},
  ) {
    this.resolver = new dns.Resolver({ timeout: resolving.timeoutMs ?? 2000, tries: resolving.tries ?? 2 });
    if (resolving.servers?.length) this.resolver.setServers([...resolving.servers]);
    for (const cidr of allowedCidrs) {
      const [net, bits] = cidr.split('/');
      const family = isIP(net ?? '');
      if (!family) throw new Error(`not a CIDR range: ${cidr}`);
      this.allowed.addSubnet(net!, bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  allowsAddress(address: string): boolean {
    if (!isNonPublicAddress(address)) return true;
    const family = isIP(address);
    if (!family) return false;
    const v4 = family === 6 ? embeddedV4(address) : undefined;
    return v4 ? this.allowed.check(v4, 'ipv4') : this.allowed.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Why this URL may not be a webhook target (scheme, address literal), or undefined; names are checked by `lookup`. */
  refusalOf(rawUrl: string): string | undefined {
    if (this.refusals.has(rawUrl)) return this.refusals.get(rawUrl);
    const refusal = this.refusalOfUncached(rawUrl);
    if (this.refusals.size >= MAX_CACHED_REFUSALS) this.refusals.clear();
    this.refusals.set(rawUrl, refusal);
    return refusal;
  }

  private refusalOfUncached(rawUrl: string): string | undefined {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return 'not a valid URL';
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.allowHttp)) return 'the URL must use https';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return this.allowsAddress(host) ? undefined : `${host} is a private, loopback or reserved address`;
    return undefined;
  }

  /** `refusalOf`, and when an endpoint is saved also names that can only be local (`localhost`, single labels). */
  refusalOfNewTarget(rawUrl: string): string | undefined {
    const refusal = this.refusalOf(rawUrl);
    if (refusal) return refusal;
    const host = new URL(rawUrl).hostname.replace(/\.$/, '');
    if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
      return this.allowsAddress('127.0.0.1') ? undefined : `${host} is not a public host name`;
    }
    return undefined;
  }

  /** A `dns.lookup` for sockets that fails when a name resolves to an address this policy refuses. */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    this.resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((a) => !this.allowsAddress(a.address));
        if (refused) return callback(new TargetRefused(`${hostname} resolves to ${refused.address}, a private, loopback or reserved address`), []);
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };

  /** The name's IPv4 then IPv6 addresses; an error with the resolver's code (ENOTFOUND, ETIMEOUT, …) when it has none. */
  async resolve(hostname: string): Promise<LookupAddress[]> {
    const host = hostname
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase();
    const family = isIP(host);
    if (family) return [{ address: host, family }];
    if (host === 'localhost' || host.endsWith('.localhost')) return LOOPBACK;
    const [v4, v6] = await Promise.allSettled([this.resolver.resolve4(host), this.resolver.resolve6(host)]);
    const addresses = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ];
    if (addresses.length) return addresses;
    // No address: the more telling failure (a timeout or a refusal before "no such record").
    const errors = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as NodeJS.ErrnoException] : []));
    const err = errors.find((e) => e.code !== 'ENODATA' && e.code !== 'ENOTFOUND') ?? errors[0];
    throw err ?? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
  }
}
