/** The scope check and the request context built from a caller. */
import { ROLE_SCOPES, SCOPES } from '@sigil/contracts';
import type { VerifiedClaims } from '@sigil/platform';
import { verifiedApiKey } from '@sigil/testing';
import { contextFor, type Caller } from './request-context';
import { assertScope } from './scope-check';

const key = verifiedApiKey({ environment: 'test', prefix: 'sg_test_xxxx', scopes: ['contacts:read'] });
const claims = {
  sub: 'usr_1',
  tid: 'ten_1',
  role: 'owner',
  email: 'o@example.com',
  plan: 'pro',
  tname: 'T',
  mode: 'live',
  typ: 'access',
  iat: 0,
  exp: 0,
  iss: 'x',
} as VerifiedClaims;

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

  it("builds the context from the credential alone: the key's tenant and mode, or the user's tenant in the session's mode", () => {
    expect(contextFor({ kind: 'api_key', key, user: claims }, 'req_1')).toEqual({
      tenant_id: 'ten_1',
      mode: 'test',
      request_id: 'req_1',
      principal: { kind: 'api_key', id: 'key_1', scopes: ['contacts:read'] },
    });
    expect(contextFor({ kind: 'user', claims }, 'req_2')).toEqual({
      tenant_id: 'ten_1',
      mode: 'live',
      request_id: 'req_2',
      principal: { kind: 'user', id: 'usr_1', scopes: ['*'] },
    });
    expect(contextFor({ kind: 'user', claims: { ...claims, mode: 'test' } }, 'req_3').mode).toBe('test');
  });
});

describe('the role permission table (docs/auth.md), enforced for sessions', () => {
  const as = (role: string): Caller => ({ kind: 'user', claims: { ...claims, role } as VerifiedClaims });
  const allowed = (role: string, scope: Parameters<typeof assertScope>[1]) => {
    try {
      assertScope(as(role), scope);
      return true;
    } catch {
      return false;
    }
  };

  it('owner and admin hold every scope', () => {
    for (const role of ['owner', 'admin']) for (const s of SCOPES) expect({ role, s, ok: allowed(role, s) }).toEqual({ role, s, ok: true });
  });

  it('developer manages keys, webhooks and data, reads members, but cannot manage members', () => {
    for (const s of ['keys:write', 'webhooks:write', 'contacts:write', 'lists:write', 'segments:write', 'members:read', 'usage:read'] as const)
      expect(allowed('developer', s)).toBe(true);
    expect(allowed('developer', 'members:write')).toBe(false);
    expect(allowed('developer', '*')).toBe(false);
  });

  it('viewer reads only', () => {
    for (const s of SCOPES) expect({ s, ok: allowed('viewer', s) }).toEqual({ s, ok: s.endsWith(':read') });
  });

  it('an unknown role (a token from before roles) reads only; the context carries the role scopes', () => {
    expect(allowed('member', 'contacts:write')).toBe(false);
    expect(allowed('member', 'contacts:read')).toBe(true);
    expect(contextFor(as('viewer'), 'r').principal!.scopes).toEqual(ROLE_SCOPES.viewer);
    expect(contextFor(as('developer'), 'r').principal!.scopes).not.toContain('members:write');
  });
});
