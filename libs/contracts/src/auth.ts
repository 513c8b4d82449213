/** Scopes (SPEC §3) and plans. */
export const SCOPES = [
  'contacts:read',
  'contacts:write',
  'lists:read',
  'lists:write',
  'segments:read',
  'segments:write',
  'webhooks:read',
  'webhooks:write',
  'keys:read',
  'keys:write',
  'usage:read',
  'members:read',
  'members:write',
  'audit:read',
  '*',
] as const;
export type Scope = (typeof SCOPES)[number];

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes('*') || granted.includes(needed);
}

/**
 * What each member role may do (SPEC §15, the table in docs/auth.md), as the
 * scopes its sessions hold: viewer reads only; developer manages everything
 * but members (keys, webhooks, data); admin and owner hold everything —
 * ownership transfer is the owner's alone, checked by the keys service.
 */
const READ_SCOPES = SCOPES.filter((s) => s.endsWith(':read'));
export const ROLE_SCOPES: Readonly<Record<'owner' | 'admin' | 'developer' | 'viewer', readonly Scope[]>> = Object.freeze({
  owner: Object.freeze(['*'] as Scope[]),
  admin: Object.freeze(['*'] as Scope[]),
  developer: Object.freeze(SCOPES.filter((s) => s !== '*' && s !== 'members:write')),
  viewer: Object.freeze(READ_SCOPES),
});

/** A role's scopes; an unknown role (a token from before roles existed) holds the viewer's. */
export function scopesOfRole(role: string): readonly Scope[] {
  return ROLE_SCOPES[role as keyof typeof ROLE_SCOPES] ?? ROLE_SCOPES.viewer;
}
