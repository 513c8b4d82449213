/** Request ids: a client's `X-Request-Id` is kept when it is sane, otherwise `req_<random>`. */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';

const CLIENT_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && CLIENT_ID.test(given)) return given;
  return `req_${randomBytes(12).toString('base64url')}`;
}
