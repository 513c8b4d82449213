/** React view of the in-memory session: signed in or not, the mode its tokens carry, and the tenant after a switch. */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { sessionStore, type Mode, type SessionTokens } from './session-store';

interface SessionState {
  signedIn: boolean;
  mode: Mode;
  tenantId: string | undefined;
}

const SessionContext = createContext<SessionState>({ signedIn: false, mode: 'live', tenantId: undefined });

function stateOf(s: SessionTokens | undefined): SessionState {
  return { signedIn: !!s, mode: s?.mode ?? 'live', tenantId: s?.tenantId };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(stateOf(sessionStore.get()));
  useEffect(() => sessionStore.subscribe((s) => setState(stateOf(s))), []);
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
