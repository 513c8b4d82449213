/** Request ids: the client's sane id is kept; generated ones keep their format and never repeat across pool refills. */
import type { IncomingMessage } from 'node:http';
import { newRequestId, requestIdFor } from './request-id';

describe('request ids', () => {
  it('keeps a sane client id and replaces an unsafe one', () => {
    expect(requestIdFor({ headers: { 'x-request-id': 'client-id-1234' } } as unknown as IncomingMessage)).toBe('client-id-1234');
    expect(requestIdFor({ headers: { 'x-request-id': 'bad id <script>' } } as unknown as IncomingMessage)).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
  });

  it('generates distinct ids in the documented format across several pool refills', () => {
    const ids = Array.from({ length: 2000 }, newRequestId);
    for (const id of ids) expect(id).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
