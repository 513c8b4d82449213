/**
 * Access tokens: compact JWS (HS256) issued by the keys service and verified
 * by every gateway replica locally, with no call to the keys service. Only
 * HS256 is accepted (no `alg` confusion, no `none`), the signature is compared
 * in constant time, and `exp`, `iat` and `iss` are checked. The `mode` claim
 * (live or test) decides which data the session acts on, as a key's environment does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessTokenClaims } from '@sigil/contracts';

const ISSUER = 'sigil-keys';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const CLOCK_SKEW_SECONDS = 30;

export interface VerifiedClaims extends AccessTokenClaims {
  mode: 'live' | 'test';
  iat: number;
  exp: number;
  iss: string;
}

function sign(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

export function signAccessToken(claims: AccessTokenClaims, secret: string, ttlSeconds: number, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const payload = Buffer.from(JSON.stringify({ ...claims, iss: ISSUER, iat, exp: iat + ttlSeconds })).toString('base64url');
  const input = `${HEADER}.${payload}`;
  return `${input}.${sign(input, secret)}`;
}

/** Returns the claims of a valid, unexpired access token, otherwise undefined. */
export function verifyAccessToken(token: string, secret: string, now = Date.now()): VerifiedClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER) return undefined;
  const expected = Buffer.from(sign(`${parts[0]}.${parts[1]}`, secret));
  const given = Buffer.from(parts[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let claims: VerifiedClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as VerifiedClaims;
  } catch {
    return undefined;
  }
  const nowSeconds = Math.floor(now / 1000);
  if (claims.iss !== ISSUER || claims.typ !== 'access') return undefined;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return undefined;
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) return undefined;
  if (typeof claims.sub !== 'string' || typeof claims.tid !== 'string') return undefined;
  if (claims.mode === undefined) claims.mode = 'live';
  if (claims.mode !== 'live' && claims.mode !== 'test') return undefined;
  return claims;
}
