import { AuthError, postAuth, postSignOut, type IssuedSession, type SessionUser } from './auth-api';

export type SessionState =
  | { status: 'loading' }
  /** `signOutIncomplete`: signed out here, but the server could not be told (its session and cookie live on). */
  | { status: 'signedOut'; reason?: string; signOutIncomplete?: true }
  | { status: 'signedIn'; user: SessionUser };

/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

/**
 * Set from a sign-out until the server confirmed it (or the user signs in again): while set, a
 * reload does not turn the refresh cookie back into a session.
 */
const SIGN_OUT_PENDING = 'ytm.signOutPending';
const INCOMPLETE =
  'You are signed out on this device, but signing out did not complete on the server (no connection, or the server had a problem). Try again to end the session there too.';

function pendingSignOut(set?: boolean): boolean {
  try {
    if (set === true) localStorage.setItem(SIGN_OUT_PENDING, '1');
    else if (set === false) localStorage.removeItem(SIGN_OUT_PENDING);
    return localStorage.getItem(SIGN_OUT_PENDING) === '1';
  } catch {
    return false; // no storage (tests, disabled): nothing survives a reload anyway but the cookie
  }
}

/** The server refused the credentials: there is no session left to end there. */
const refused = (err: unknown) => err instanceof AuthError && (err.code === 'UNAUTHENTICATED' || err.code === 'HTTP_401');

/**
 * The signed-in session. The access token lives only in this object's memory; the refresh token
 * is an HttpOnly cookie that page scripts never see. Refreshes are single-flight, and serialised
 * across tabs with the Web Locks API: refresh tokens are single-use, and two tabs spending the
 * same one would make the server revoke the whole session.
 */
export class Session {
  private accessToken: string | undefined;
  private expiresAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<string | undefined> | undefined;
  private state: SessionState = { status: 'loading' };
  private readonly listeners = new Set<() => void>();
  private readonly signOutListeners = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  get current(): SessionState {
    return this.state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * At start: the cookie, if any, becomes a session (staying signed in across reloads). After a
   * sign-out the server never got, it does not: the sign-out is tried again instead.
   */
  async restore(): Promise<void> {
    if (pendingSignOut()) return this.finishSignOut();
    await this.refresh();
    if (this.state.status === 'loading') this.set({ status: 'signedOut' });
  }

  async signIn(email: string, password: string): Promise<void> {
    this.accept(await postAuth('signin', { email, password }));
    pendingSignOut(false);
  }

  async signUp(email: string, password: string, displayName: string): Promise<void> {
    this.accept(await postAuth('signup', { email, password, displayName }));
    pendingSignOut(false);
  }

  /** `listener` runs when the listener signs out on purpose (not when a session merely ends). */
  onSignOut(listener: () => void): () => void {
    this.signOutListeners.add(listener);
    return () => this.signOutListeners.delete(listener);
  }

  /**
   * Signs out here at once, and on the server. When the server cannot be told (offline, 5xx) the
   * state says so (`signOutIncomplete`, with words for the user), and calling this again retries;
   * until one succeeds a reload stays signed out.
   */
  async signOut(): Promise<void> {
    for (const l of [...this.signOutListeners]) l();
    pendingSignOut(true);
    await this.finishSignOut();
  }

  private async finishSignOut(): Promise<void> {
    const held = this.accessToken && this.expiresAt - this.now() > 5_000 ? this.accessToken : undefined;
    clearTimeout(this.timer); // no scheduled refresh meanwhile
    const done = await this.endOnServer(held);
    if (done) pendingSignOut(false);
    this.end(done ? undefined : INCOMPLETE, !done);
  }

  /** The server's session ended (or there was none left); false when the server could not be told. */
  private async endOnServer(held: string | undefined): Promise<boolean> {
    try {
      if (held) {
        try {
          await postSignOut(held);
          return true;
        } catch (err) {
          if (!refused(err)) throw err;
        }
      }
      // No access token to sign out with: the refresh cookie gets one (refused: no session left).
      const { accessToken } = await this.withLock(() => postAuth('refresh', {}));
      await postSignOut(accessToken);
      return true;
    } catch (err) {
      return refused(err);
    }
  }

  /** A token valid for at least a few seconds more, refreshing first when it is about to expire. */
  async token(): Promise<string | undefined> {
    if (this.accessToken && this.expiresAt - this.now() > 5_000) return this.accessToken;
    if (this.state.status === 'signedOut') return undefined;
    return this.refresh();
  }

  /** A fresh access token (after a 401, or on schedule); undefined when the session is over. */
  refresh(): Promise<string | undefined> {
    this.inflight ??= this.withLock(async () => {
      try {
        this.accept(await postAuth('refresh', {}));
        return this.accessToken;
      } catch (err) {
        if (err instanceof AuthError && (err.code === 'UNAUTHENTICATED' || err.code === 'HTTP_401')) {
          this.end(this.state.status === 'signedIn' ? 'Your session has ended. Please sign in again.' : undefined);
          return undefined;
        }
        if (this.state.status === 'loading') this.set({ status: 'signedOut', reason: (err as Error).message });
        return undefined;
      }
    }).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** The token this tab holds right now, for places that cannot wait (the WebSocket's init). */
  peek(): string | undefined {
    return this.accessToken;
  }

  private accept(s: IssuedSession): void {
    this.accessToken = s.accessToken;
    this.expiresAt = Date.parse(s.accessTokenExpiresAt);
    clearTimeout(this.timer);
    const wait = Math.max(5_000, this.expiresAt - this.now() - EARLY_MS);
    this.timer = setTimeout(() => void this.refresh(), wait);
    this.set({ status: 'signedIn', user: s.user });
  }

  private end(reason?: string, signOutIncomplete = false): void {
    clearTimeout(this.timer);
    this.accessToken = undefined;
    this.expiresAt = 0;
    this.set({ status: 'signedOut', ...(reason ? { reason } : {}), ...(signOutIncomplete ? { signOutIncomplete: true as const } : {}) });
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const l of this.listeners) l();
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? locks.request('ytm-session-refresh', fn) : fn();
  }
}
