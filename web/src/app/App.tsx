import { useEffect, useMemo, useRef } from 'react';
import type { SSRData } from '@urql/core';
import { Provider } from 'urql';
import { AuthPage } from '../features/auth/AuthPage';
import type { Session } from '../features/auth/session';
import { SessionContext, useSessionState } from '../features/auth/session-context';
import { PlayerProvider } from '../features/player/player-context';
import { createApiClient } from './client';
import { RouterProvider, useRouter } from './router';
import { ROUTES } from './routes';
import { Shell } from './Shell';

function Gate({ session, initialData }: { session: Session; initialData?: SSRData }) {
  const state = useSessionState();
  const { path, navigate } = useRouter();
  const userId = state.status === 'signedIn' ? state.user.id : undefined;
  // One client (and cache) per user: nothing of one account's answers survives into another's.
  // The prefetched first screen belongs to the session restored at start, so only its client gets it.
  const seed = useRef(initialData);
  const client = useMemo(() => {
    if (!userId) return undefined;
    const c = createApiClient(session, seed.current);
    seed.current = undefined;
    return c;
  }, [session, userId]);
  const onAuthPage = path === ROUTES.signin || path === ROUTES.signup;
  useEffect(() => {
    if (userId && onAuthPage) navigate('/', { replace: true });
  }, [userId, onAuthPage, navigate]);
  if (state.status === 'loading') return <div className="auth" aria-busy="true" aria-label="Loading" />;
  if (!userId || !client) return <AuthPage mode={path === ROUTES.signup ? 'signup' : 'signin'} />;
  return (
    <Provider value={client}>
      <PlayerProvider key={userId} userId={userId}>
        <Shell />
      </PlayerProvider>
    </Provider>
  );
}

/** The app; `session.restore()` has been started by main.ts. */
export function App({ session, initialData }: { session: Session; initialData?: SSRData }) {
  return (
    <SessionContext.Provider value={session}>
      <RouterProvider>
        <Gate session={session} initialData={initialData} />
      </RouterProvider>
    </SessionContext.Provider>
  );
}
