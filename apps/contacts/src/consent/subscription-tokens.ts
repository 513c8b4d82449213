/**
 * Double opt-in and one-click unsubscribe tokens: `<claims>.<signature>`,
 * both base64url, the signature an HMAC-SHA256 of the claims with the
 * service's `CONSENT_TOKEN_SECRET`. The claims bind the token to its purpose,
 * tenant, mode and contact and carry its expiry and a unique id (`j`), which
 * the service records when a confirmation token is used, so that one works
 * once (an unsubscribe token is idempotent instead: ConsentService.unsubscribe).
 * Verification checks the signature (constant time) before reading anything.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Mode } from '@sigil/contracts';
import { DomainError, newId, ValidationFailed } from '@sigil/platform';

export type TokenPurpose = 'confirm' | 'unsubscribe';

export interface TokenClaims {
  /** Purpose. */
  p: TokenPurpose;
  /** Tenant, mode, contact. */
  t: string;
  m: Mode;
  c: string;
  /** Unique token id (single use). */
  j: string;
  /** Expiry, epoch seconds. */
  e: number;
}

export function signToken(secret: string, claims: Omit<TokenClaims, 'j'> & { j?: string }): string {
  const body = Buffer.from(JSON.stringify({ ...claims, j: claims.j ?? newId('tok') })).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The claims of a genuine, unexpired token of this purpose; otherwise a 400 naming what is wrong. */
export function verifyToken(secret: string, token: string, purpose: TokenPurpose, now: Date): TokenClaims {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length) throw invalid();
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    throw invalid();
  }
  if (claims.p !== purpose) throw invalid();
  if (typeof claims.e !== 'number' || claims.e * 1000 <= now.getTime()) {
    throw new DomainError(400, 'token_expired', 'This token has expired; ask for a new one.');
  }
  return claims;
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function invalid(): DomainError {
  return new DomainError(400, 'invalid_token', 'This token is not valid.');
}

/**
 * RFC 8058 one-click: the token travels in the `List-Unsubscribe` URL's query,
 * or in the body (a `token` field, or JSON `{token}`). Given twice it must be
 * the same; missing is a 400 naming `token`.
 */
export function oneClickToken(inQuery: string | undefined, inBody: string | undefined): string {
  const problem = (message: string) => new ValidationFailed([{ field: 'token', code: inQuery || inBody ? 'invalid' : 'required', message }]);
  if (inQuery && inBody && inQuery !== inBody) throw problem('the token is given twice, differently (query and body)');
  const token = inQuery ?? inBody;
  if (!token) throw problem('required: in the query (?token=) or in the body');
  return token;
}
