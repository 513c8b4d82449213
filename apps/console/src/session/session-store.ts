/**
 * The signed-in session, held only in this page's memory.
 *
 * Access and refresh tokens are never written to localStorage, sessionStorage,
 * IndexedDB or cookies (SPEC §11, docs/console.md): a script injected into the
 * page could read any of those, and a token left on disk outlives the tab.
 * The cost is that a reload asks to sign in again.
 */
export type Mode = 'live' | 'test';

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds after which the access token is refreshed before use. */
  accessExpiresAt: number;
  mode: Mode;
  /** The tenant, when the console chose it (a switch); pages reload when it changes. */
  tenantId?: string;
}

type Listener = (session: SessionTokens | undefined) => void;

let current: SessionTokens | undefined;
const listeners = new Set<Listener>();

export const sessionStore = {
  get(): SessionTokens | undefined {
    return current;
  },
  set(next: SessionTokens | undefined): void {
    current = next;
    for (const l of listeners) l(current);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
