/**
 * The API key format (SPEC §3): `sg_{live|test}_{32 random base62}{6-char checksum}`.
 * The checksum (CRC32 of everything before it, base62) lets the gateway reject
 * a malformed or mistyped key without any lookup, and lets secret scanners
 * recognise leaked keys with few false positives. Keys are stored only as a
 * SHA-256 hash: with 190 bits of entropy a slow hash adds nothing but latency.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Mode } from '@sigil/contracts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = /^sg_(live|test)_([0-9A-Za-z]{38})$/;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksum(text: string): string {
  let n = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function generateApiKey(environment: Mode): string {
  const head = `sg_${environment}_${randomBase62(BODY_LENGTH)}`;
  return head + checksum(head);
}

export interface ParsedApiKey {
  environment: Mode;
  /** Shown in listings: `sg_live_AbCd`. */
  prefix: string;
  last4: string;
}

/**
 * Whether `key` has an API key's shape (prefix, environment, length, alphabet), without its checksum:
 * the gateway's check before a look-up in memory, where a hash found implies a key that passed
 * `parseApiKey` when it was first verified.
 */
export function hasApiKeyShape(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Format and checksum only; no lookup. Returns undefined for anything that is not a well-formed key. */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  const head = key.slice(0, key.length - CHECKSUM_LENGTH);
  const expected = Buffer.from(checksum(head));
  const given = Buffer.from(key.slice(key.length - CHECKSUM_LENGTH));
  if (!timingSafeEqual(expected, given)) return undefined;
  return { environment: match[1] as Mode, prefix: key.slice(0, 12), last4: key.slice(-4) };
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith('sg_');
}

/** SHA-256, hex. One-shot `crypto.hash` (Node ≥ 20.12): half the time of a `createHash` object, on every API-key request. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of two hex digests or tokens. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** An opaque random token (refresh tokens): `prefix_` + 43 base64url chars (256 bits). */
export function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
