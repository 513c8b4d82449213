/** Sessions: sign up, sign in, switch mode (new tokens carrying the other mode) or tenant, sign out, who am I. */
import { sessionStore, type SessionTokens } from '../session/session-store';
import { anonymousApi, api, call, callAnonymous, refreshSession, toSession, type TokenResponse } from './http';
import type { Me, Mode } from './types';

export async function signUp(input: { email: string; password: string; organization_name: string }): Promise<void> {
  const tokens = await callAnonymous<TokenResponse>(() => anonymousApi.auth.signup(input));
  sessionStore.set(toSession(tokens, 'live'));
}

export async function signIn(input: { email: string; password: string; mode?: Mode }): Promise<void> {
  const tokens = await callAnonymous<TokenResponse>(() => anonymousApi.auth.login(input));
  sessionStore.set(toSession(tokens, input.mode ?? 'live'));
}

/** Rotates the refresh token into one whose access tokens act in `mode` (issue #21.3). */
export async function switchMode(mode: Mode): Promise<void> {
  await refreshSession(mode);
}

/**
 * New tokens in another tenant the user belongs to (`POST /v1/auth/switch`,
 * live mode); the previous session is then logged out, so no second
 * refresh token is left alive in this tab's place.
 */
export async function switchTenant(tenantId: string): Promise<void> {
  const tokens = await call<TokenResponse>(() => api.auth.switch({ tenant_id: tenantId }));
  await replaceSession({ ...toSession(tokens, 'live'), tenantId });
}

/** Makes `next` this tab's session and logs the one it replaces out (a tenant switch, an accepted invitation). */
export async function replaceSession(next: SessionTokens): Promise<void> {
  const previous = sessionStore.get();
  sessionStore.set(next);
  if (previous) await callAnonymous(() => anonymousApi.auth.logout({ refresh_token: previous.refreshToken })).catch(() => undefined);
}

export async function signOut(): Promise<void> {
  const session = sessionStore.get();
  sessionStore.set(undefined);
  if (session) await callAnonymous(() => anonymousApi.auth.logout({ refresh_token: session.refreshToken })).catch(() => undefined);
}

export function getMe(): Promise<Me> {
  return call<Me>(() => api.me());
}
