import { useEffect, useMemo } from 'react';
import { Provider } from 'urql';
import { AuthPage } from '../features/auth/AuthPage';
import type { Session } from '../features/auth/session';
import { SessionContext, useSessionState } from '../features/auth/session-context';
import { PlayerProvider } from '../features/player/player-context';
import { createApiClient } from './client';
import { RouterProvider, useRouter } from './router';
import { Shell } from './Shell';

function Gate({ session }: { session: Session }) {
  const state = useSessionState();
  const { path, navigate } = useRouter();
  const userId = state.status === 'signedIn' ? state.user.id : undefined;
  // One client (and cache) per user: nothing of one account's answers survives into another's.
  const client = useMemo(() => (userId ? createApiClient(session) : undefined), [session, userId]);
  const onAuthPage = path === '/signin' || path === '/signup';
  useEffect(() => {
    if (userId && onAuthPage) navigate('/', { replace: true });
  }, [userId, onAuthPage, navigate]);
  if (state.status === 'loading') return <div className="auth" aria-busy="true" aria-label="Loading" />;
  if (!userId || !client) return <AuthPage mode={path === '/signup' ? 'signup' : 'signin'} />;
  return (
    <Provider value={client}>
      <PlayerProvider key={userId} userId={userId}>
        <Shell />
      </PlayerProvider>
    </Provider>
  );
}

/** The app; `session.restore()` has been started by main.ts. */
export function App({ session }: { session: Session }) {
  return (
    <SessionContext.Provider value={session}>
      <RouterProvider>
        <Gate session={session} />
      </RouterProvider>
    </SessionContext.Provider>
  );
}
