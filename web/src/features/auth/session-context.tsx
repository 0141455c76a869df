import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Session, SessionState } from './session';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionContext');
  return s;
}

export function useSessionState(): SessionState {
  const s = useSession();
  return useSyncExternalStore(s.subscribe, () => s.current);
}

/** The signed-in user (only under the signed-in part of the app). */
export function useUser() {
  const state = useSessionState();
  if (state.status !== 'signedIn') throw new Error('useUser while signed out');
  return state.user;
}
