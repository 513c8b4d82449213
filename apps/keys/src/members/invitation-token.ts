/**
 * Invitation tokens: `sginv_<payload>.<signature>`, the payload naming the
 * invitation, its tenant and its expiry, signed with HMAC-SHA256 under the
 * service's secret (domain-separated from access tokens). The signature makes
 * a forged or altered token (another tenant's id, a later expiry) fail
 * without a lookup; single use is the invitation row's `accepted_at`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface InvitationClaims {
  /** Invitation id. */
  iid: string;
  /** Tenant id. */
  tid: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

const PREFIX = 'sginv_';

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`sigil.invitation.${payload}`).digest('base64url');
}

export function signInvitation(claims: InvitationClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${PREFIX}${payload}.${sign(payload, secret)}`;
}

/** The claims of a well-signed token (expired or not: the caller says which), else undefined. */
export function verifyInvitation(token: string, secret: string): InvitationClaims | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  const [payload, signature, extra] = token.slice(PREFIX.length).split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as InvitationClaims;
    if (typeof claims.iid !== 'string' || typeof claims.tid !== 'string' || typeof claims.exp !== 'number') return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
