/** The scope check: a route's declared scope against what the caller holds (403 `insufficient_scope`). */
import { hasScope, type Scope } from '@sigil/contracts';
import { Forbidden } from '@sigil/platform';
import { userScopes, type Caller } from './request-context';

export function scopesOf(caller: Caller): readonly string[] {
  return caller.kind === 'api_key' ? caller.key.scopes : userScopes(caller.claims);
}

/** Throws 403 naming `required_scope` unless the caller holds it; `undefined` (any credential) always passes. */
export function assertScope(caller: Caller, required: Scope | undefined): void {
  if (required && !hasScope(scopesOf(caller), required)) {
    const who = caller.kind === 'user' ? ` (a ${caller.claims.role}'s session does not hold it)` : '';
    throw new Forbidden('insufficient_scope', `This request needs the '${required}' scope${who}.`, { required_scope: required });
  }
}
