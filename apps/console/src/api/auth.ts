/** Sessions: sign up, sign in, switch mode (new tokens carrying the other mode), sign out, who am I. */
import { sessionStore } from '../session/session-store';
import { refreshSession, request, toSession, type TokenResponse } from './http';
import type { Me, Mode } from './types';

export async function signUp(input: { email: string; password: string; organization_name: string }): Promise<void> {
  const tokens = await request<TokenResponse>('POST', '/v1/auth/signup', { body: input, anonymous: true });
  sessionStore.set(toSession(tokens, 'live'));
}

export async function signIn(input: { email: string; password: string; mode?: Mode }): Promise<void> {
  const tokens = await request<TokenResponse>('POST', '/v1/auth/login', { body: input, anonymous: true });
  sessionStore.set(toSession(tokens, input.mode ?? 'live'));
}

/** Rotates the refresh token into one whose access tokens act in `mode` (papercut #21.3). */
export async function switchMode(mode: Mode): Promise<void> {
  await refreshSession(mode);
}

export async function signOut(): Promise<void> {
  const session = sessionStore.get();
  sessionStore.set(undefined);
  if (session) await request('POST', '/v1/auth/logout', { body: { refresh_token: session.refreshToken }, anonymous: true }).catch(() => undefined);
}

export function getMe(): Promise<Me> {
  return request<Me>('GET', '/v1/me');
}
