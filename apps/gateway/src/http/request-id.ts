/**
 * Request ids: a client's `X-Request-Id` is kept when it is sane, otherwise
 * `req_<16 random base64url characters>`. The random bytes come from a pool
 * refilled 512 ids at a time: one `randomFillSync` per request showed up in
 * the gateway's CPU profile of `GET /v1/me`.
 */
import type { IncomingMessage } from 'node:http';
import { randomFillSync } from 'node:crypto';

const CLIENT_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const ID_BYTES = 12;
const pool = Buffer.alloc(ID_BYTES * 512);
let offset = pool.length;

export function newRequestId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = `req_${pool.toString('base64url', offset, offset + ID_BYTES)}`;
  offset += ID_BYTES;
  return id;
}

export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && CLIENT_ID.test(given)) return given;
  return newRequestId();
}
