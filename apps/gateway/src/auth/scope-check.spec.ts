/** The scope check and the request context built from a caller. */
import type { VerifiedClaims } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import { contextFor, type Caller } from './request-context';
import { assertScope } from './scope-check';

const key = verifiedApiKey({ environment: 'test', prefix: 'sg_test_xxxx', scopes: ['contacts:read'] });
const claims = { sub: 'usr_1', tid: 'ten_1', role: 'owner', email: 'o@example.com', plan: 'pro', tname: 'T', typ: 'access', iat: 0, exp: 0, iss: 'x' } as VerifiedClaims;

describe('scope check', () => {
  it('passes a held scope or a route open to any credential, refuses others with 403 naming the scope', () => {
    const caller: Caller = { kind: 'api_key', key };
    expect(() => assertScope(caller, 'contacts:read')).not.toThrow();
    expect(() => assertScope(caller, undefined)).not.toThrow();
    try {
      assertScope(caller, 'contacts:write');
      throw new Error('not refused');
    } catch (err) {
      expect((err as { toBody(): unknown }).toBody()).toMatchObject({ status: 403, code: 'insufficient_scope', required_scope: 'contacts:write' });
    }
    expect(() => assertScope({ kind: 'user', claims }, 'keys:write')).not.toThrow();
  });

  it("builds the context from the credential alone: the key's tenant and mode, or the user's tenant in live mode", () => {
    expect(contextFor({ kind: 'api_key', key, user: claims }, 'req_1')).toEqual({
      tenant_id: 'ten_1',
      mode: 'test',
      request_id: 'req_1',
      principal: { kind: 'api_key', id: 'key_1', scopes: ['contacts:read'] },
    });
    expect(contextFor({ kind: 'user', claims }, 'req_2')).toEqual({ tenant_id: 'ten_1', mode: 'live', request_id: 'req_2', principal: { kind: 'user', id: 'usr_1', scopes: ['*'] } });
  });
});
