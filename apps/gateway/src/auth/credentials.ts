/**
 * The credentials a request presents, read from its headers: `Authorization:
 * Bearer <API key | access JWT>` and/or `X-API-Key: <API key>`. Pure parsing;
 * whether they are valid is the Authenticator's business.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Unauthenticated } from '@sigil/platform';

export interface PresentedCredentials {
  /** The token of `Authorization: Bearer <token>`: an API key or an access JWT. */
  bearer?: string;
  /** The value of `X-API-Key`, trimmed: always an API key. Present (possibly empty) whenever the header is sent. */
  apiKey?: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Throws 401 for an `Authorization` header that is not `Bearer <token>` (it is presented, so it must be valid). */
export function presentedCredentials(headers: IncomingHttpHeaders): PresentedCredentials {
  const out: PresentedCredentials = {};
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length) {
    const match = BEARER.exec(auth);
    if (!match) throw new Unauthenticated('invalid_api_key', 'Use `Authorization: Bearer <credential>`.');
    out.bearer = match[1]!;
  }
  const key = headers['x-api-key'];
  // An empty X-API-Key is still a presented credential: beside a valid Authorization it is an invalid one (401), not ignored.
  if (typeof key === 'string') out.apiKey = key.trim();
  return out;
}
