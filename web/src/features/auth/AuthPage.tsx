import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from '../../app/router';
import { Logo } from '../../ui/icons';
import { AuthError } from './auth-api';
import { useSession, useSessionState } from './session-context';

/** Sign in and sign up: errors from the API next to the form, in plain words. */
export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const session = useSession();
  const state = useSessionState();
  const [error, setError] = useState<AuthError | null>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const signup = mode === 'signup';
  useEffect(() => setError(null), [mode]);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v : '';
    };
    const email = text('email');
    const password = text('password');
    setBusy(true);
    setError(null);
    try {
      if (signup) await session.signUp(email, password, text('displayName'));
      else await session.signIn(email, password);
    } catch (err) {
      setError(err instanceof AuthError ? err : new AuthError('OTHER', 'Something went wrong. Please try again.'));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name: string) => (error?.field === name ? error.message : undefined);
  const reason = state.status === 'signedOut' ? state.reason : undefined;
  const signOutIncomplete = state.status === 'signedOut' && state.signOutIncomplete === true;
  const retrySignOut = async () => {
    setBusy(true);
    await session.signOut();
    setBusy(false);
  };
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={(e) => void submit(e)} noValidate={false} aria-labelledby="auth-title">
        <div className="brand">
          <Logo /> YTM
        </div>
        <h1 id="auth-title">{signup ? 'Create your account' : 'Welcome back'}</h1>
        {signOutIncomplete ? (
          <div className="alert" role="alert">
            <p>{reason}</p>
            <button className="btn" type="button" disabled={busy} onClick={() => void retrySignOut()}>
              {busy ? 'One moment…' : 'Try signing out again'}
            </button>
          </div>
        ) : (
          reason && !error && <p className="alert info">{reason}</p>
        )}
        {signup && (
          <div className="field">
            <label htmlFor="displayName">Your name</label>
            <input
              id="displayName"
              name="displayName"
              className="input"
              autoComplete="nickname"
              required
              maxLength={100}
              aria-invalid={Boolean(fieldError('displayName'))}
            />
            {fieldError('displayName') && <p className="error">{fieldError('displayName')}</p>}
          </div>
        )}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            className="input"
            autoComplete={signup ? 'email' : 'username'}
            required
            aria-invalid={Boolean(fieldError('email'))}
          />
          {fieldError('email') && <p className="error">{fieldError('email')}</p>}
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            className="input"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 8 : undefined}
            aria-describedby={signup ? 'password-hint' : undefined}
            aria-invalid={Boolean(fieldError('password'))}
          />
          {signup && (
            <span className="hint" id="password-hint">
              At least 8 characters. A few words you can remember works well.
            </span>
          )}
          {fieldError('password') && <p className="error">{fieldError('password')}</p>}
        </div>
        {error && !error.field && (
          <p className="alert" role="alert" tabIndex={-1} ref={errorRef}>
            {error.message}
          </p>
        )}
        {error?.field && (
          <p className="visually-hidden" role="alert">
            {error.message}
          </p>
        )}
        <button className="btn primary" type="submit" disabled={busy}>
          {busy ? 'One moment…' : signup ? 'Create account' : 'Sign in'}
        </button>
        <p className="switch">
          {signup ? 'Already have an account? ' : 'New here? '}
          <Link to={signup ? '/signin' : '/signup'}>{signup ? 'Sign in' : 'Create an account'}</Link>
        </p>
      </form>
    </main>
  );
}
