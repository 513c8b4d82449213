/**
 * What the signed-in user's role lets them change (docs/auth.md's permission
 * table: a viewer holds the `:read` scopes only), so pages show a viewer a
 * read-only page instead of buttons the API would refuse with 403. The API
 * stays the judge; this only keeps the page honest. Until `/v1/me` has
 * answered, the controls show.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { Me } from '../api/types';

export interface Permissions {
  role: string | undefined;
  /** Keys, webhooks, contacts, lists and segments: every role but viewer. */
  canWrite: boolean;
}

const PermissionsContext = createContext<Permissions>({ role: undefined, canWrite: true });

export function permissionsOf(me: Me | undefined): Permissions {
  const role = me?.credential.type === 'user' ? me.credential.role : undefined;
  return { role, canWrite: role !== 'viewer' };
}

export function PermissionsProvider({ me, children }: { me: Me | undefined; children: ReactNode }) {
  return <PermissionsContext.Provider value={permissionsOf(me)}>{children}</PermissionsContext.Provider>;
}

export function usePermissions(): Permissions {
  return useContext(PermissionsContext);
}

/** Said at the top of a page whose changes the role does not allow. */
export function ReadOnlyNote() {
  const { canWrite, role } = usePermissions();
  if (canWrite) return null;
  return <p className="read-only-note">You are a {role}: you can see everything here but not change it.</p>;
}
