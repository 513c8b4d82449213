/**
 * IP networks for API keys' `allowed_cidrs` (SPEC §15): parsing, canonical
 * form and matching, in pure TypeScript (the schema validates with it and the
 * console bundles the contracts, so no node:net). Every address lives in the
 * IPv6 space: an IPv4 address is its IPv4-mapped form `::ffff:a.b.c.d` and an
 * IPv4 network /n is the mapped /(96+n), so a client seen as
 * `::ffff:203.0.113.7` (a dual-stack socket) matches `203.0.113.0/24`.
 */

/** Most networks one key may carry. */
export const MAX_ALLOWED_CIDRS = 50;

export interface IpNetwork {
  /** Canonical text: `203.0.113.0/24`, `2001:db8::/32` (a bare address gets /32 or /128). */
  cidr: string;
  /** The network address in the IPv6 space (IPv4 mapped). */
  base: bigint;
  /** Prefix length in the IPv6 space (IPv4 /n is 96+n). */
  bits: number;
}

const V4_MAPPED = 0xffffn << 32n;
const ALL_ONES = (1n << 128n) - 1n;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    // No leading zeros (some parsers read them as octal), no signs, 0–255.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const all = [...head, ...tail];
  for (const [i, g] of all.entries()) {
    if (i === all.length - 1 && g.includes('.')) {
      const v4 = parseV4(g);
      if (v4 === undefined) return undefined;
      words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      words.push(parseInt(g, 16));
    } else {
      return undefined;
    }
  }
  const headWords = words.length - (tail.length ? tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0) : 0);
  if (halves.length === 2) {
    if (words.length > 7) return undefined;
    words.splice(headWords, 0, ...new Array<number>(8 - words.length).fill(0));
  } else if (words.length !== 8) {
    return undefined;
  }
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** An address (IPv4, IPv6, IPv4-mapped IPv6) in the IPv6 space, or undefined if it is not one. */
export function parseIp(text: string): bigint | undefined {
  if (text.includes(':')) return parseV6(text);
  const v4 = parseV4(text);
  return v4 === undefined ? undefined : V4_MAPPED | v4;
}

function v6Text(value: bigint): string {
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero words becomes `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function isV4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

/**
 * Parses `a.b.c.d[/n]` or an IPv6 address `[/n]`; why not, as a message.
 * Host bits set below the prefix (`10.0.0.1/8`) are refused: the entry would
 * not mean what it says.
 */
export function parseCidr(text: string): IpNetwork | { error: string } {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const v6 = addressText.includes(':');
  const address = parseIp(addressText);
  if (address === undefined) return { error: `'${text}' is not an IPv4 or IPv6 address or network` };
  // An IPv4-mapped IPv6 network is written as IPv4.
  const asV4 = !v6 || isV4Mapped(address);
  const max = v6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = trimmed.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max) return { error: `'${text}' has an invalid prefix length (0–${max})` };
    prefix = Number(p);
  }
  const bits = v6 ? prefix : 96 + prefix;
  if (asV4 && bits < 96) return { error: `'${text}' is wider than the IPv4-mapped range` };
  const mask = bits === 0 ? 0n : (ALL_ONES << BigInt(128 - bits)) & ALL_ONES;
  if ((address & ~mask & ALL_ONES) !== 0n) {
    return { error: `'${text}' has host bits set; did you mean '${formatNetwork(address & mask, bits, asV4)}'?` };
  }
  return { cidr: formatNetwork(address, bits, asV4), base: address, bits };
}

function formatNetwork(base: bigint, bits: number, asV4: boolean): string {
  if (asV4) {
    const v4 = Number(base & 0xffffffffn);
    return `${[v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255].join('.')}/${bits - 96}`;
  }
  return `${v6Text(base)}/${bits}`;
}

/** True when the address (any form) is inside one of the networks. */
export function ipAllowed(ip: string, networks: readonly IpNetwork[]): boolean {
  const address = parseIp(ip);
  if (address === undefined) return false;
  for (const n of networks) {
    const shift = BigInt(128 - n.bits);
    if (address >> shift === n.base >> shift) return true;
  }
  return false;
}
